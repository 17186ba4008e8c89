/** POST /api/questions: the owner of the test adds a question to it. 201. */
import { ownedTest } from '../../lib/authz/tests';
import { httpHandler } from '../../lib/http/stack';
import { storage } from '../../lib/storage';
import { insertQuestionSchema } from '../../shared/schema';

export const handler = httpHandler(
  { auth: 'session', body: insertQuestionSchema },
  async ({ caller, body }) => {
    await ownedTest(caller, body.testId);
    return { status: 201, body: await storage.createQuestion(body) };
  },
);
