/** POST /api/auth/register: a new account, and a session for it (201 + user). */
import { timingSafeEqual } from 'node:crypto';
import { config } from '../../lib/config';
import { ForbiddenError } from '../../lib/http/errors';
import { setSessionCookie } from '../../lib/http/session-cookie';
import { httpHandler } from '../../lib/http/stack';
import { createSession, deleteSession } from '../../lib/sessions/session-store';
import { storage } from '../../lib/storage';
import { insertUserSchema } from '../../shared/schema';

/** Constant-time string equality (the signup code is a secret). */
function sameSecret(given: string, expected: string): boolean {
  const [a, b] = [Buffer.from(given), Buffer.from(expected)];
  return a.length === b.length && timingSafeEqual(a, b);
}

export const handler = httpHandler(
  { auth: 'none', body: insertUserSchema },
  async ({ body, event, sessionToken }) => {
    const { teacherCode, ...user } = body;
    if (user.role === 'teacher') {
      const expected = config().auth.teacherSignupCode;
      if (!expected || !teacherCode || !sameSecret(teacherCode, expected)) {
        throw new ForbiddenError('Registering as a teacher needs a valid teacher code');
      }
    }
    const created = await storage.createUser(user);
    // A session the client brought along ends here: the new account gets a new token (no fixation).
    if (sessionToken) await deleteSession(sessionToken);
    const { token } = await createSession(created);
    return { status: 201, body: created, cookies: [setSessionCookie(event, token)] };
  },
);
