/** GET /api/tests/:testId/questions: readable as the test is; by order; students get no key or rubric. */
import * as z from 'zod/mini';
import { questionsFor, readableTest } from '../../lib/authz/tests';
import { httpHandler } from '../../lib/http/stack';
import { storage } from '../../lib/storage';
import { idParamSchema } from '../../shared/schema';

const path = z.strictObject({ testId: idParamSchema });

export const handler = httpHandler({ auth: 'session', path }, async ({ caller, path }) => {
  const test = await readableTest(caller, path.testId);
  // Storage sorts by order, then id.
  const questions = await storage.getQuestionsByTest(test.id);
  return { status: 200, body: questionsFor(caller, test, questions) };
});
