/**
 * GET /api/test-attempts/:id/answers: for the attempt's student and the owner of its test. The
 * student gets no grades while they could still use them (lib/authz/tests.ts answersFor).
 */
import { answersFor, readableAttempt } from '../../lib/authz/tests';
import { httpHandler } from '../../lib/http/stack';
import { storage } from '../../lib/storage';
import { idPathSchema } from '../../shared/schema';

export const handler = httpHandler(
  { auth: 'session', path: idPathSchema },
  async ({ caller, path }) => {
    const access = await readableAttempt(caller, path.id);
    const answers = await storage.getAnswersByAttempt(access.attempt.id);
    return { status: 200, body: await answersFor(access, answers) };
  },
);
