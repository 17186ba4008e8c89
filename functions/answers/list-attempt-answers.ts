/**
 * GET /api/test-attempts/:id/answers: for the attempt's student and the owner of its test. The
 * student gets no grades while they could still use them (lib/authz/tests.ts answersFor).
 */
import * as z from 'zod/mini';
import { answersFor, readableAttempt } from '../../lib/authz/tests';
import { httpHandler } from '../../lib/http/stack';
import { storage } from '../../lib/storage';
import { idParamSchema } from '../../shared/schema';

const path = z.strictObject({ id: idParamSchema });

export const handler = httpHandler({ auth: 'session', path }, async ({ caller, path }) => {
  const access = await readableAttempt(caller, path.id);
  const answers = await storage.getAnswersByAttempt(access.attempt.id);
  return { status: 200, body: await answersFor(access, answers) };
});
