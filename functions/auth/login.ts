/** POST /api/auth/login: 200 + user and a NEW session; one 401 for any bad credential; 429 when throttled. */

import { TooManyRequestsError, UnauthorizedError } from '../../lib/http/errors';
import { setSessionCookie } from '../../lib/http/session-cookie';
import { httpHandler } from '../../lib/http/stack';
import { endSessionConnections } from '../../lib/realtime/sessions';
import { endLoginAttempt, reserveLoginAttempt } from '../../lib/sessions/login-throttle';
import { createSession, deleteSession, hashToken } from '../../lib/sessions/session-store';
import { storage } from '../../lib/storage';
import { loginSchema } from '../../shared/schema';

export const handler = httpHandler(
  { auth: 'none', body: loginSchema },
  async ({ body, event, sessionToken, sourceIp, log }) => {
    // The attempt is counted before the password is verified (see login-throttle.ts).
    const verdict = await reserveLoginAttempt(body.username, sourceIp, log);
    if (!verdict.allowed) {
      log.warn('login throttled', { retryAfterSeconds: verdict.retryAfterSeconds });
      throw new TooManyRequestsError(verdict.retryAfterSeconds);
    }
    let user: Awaited<ReturnType<typeof storage.verifyCredentials>>;
    try {
      user = await storage.verifyCredentials(body.username, body.password, log);
    } catch (error) {
      await endLoginAttempt(verdict.attempt, 'unverified', log);
      throw error;
    }
    if (!user) {
      await endLoginAttempt(verdict.attempt, 'failed', log);
      throw new UnauthorizedError('Invalid username or password');
    }
    await endLoginAttempt(verdict.attempt, 'verified', log);
    // Whatever session cookie came with the request ends: login always issues a new token.
    if (sessionToken) {
      await deleteSession(sessionToken);
      await endSessionConnections(hashToken(sessionToken), log);
    }
    const { token } = await createSession(user);
    return { status: 200, body: user, cookies: [setSessionCookie(event, token)] };
  },
);
