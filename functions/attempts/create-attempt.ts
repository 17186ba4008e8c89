/** POST /api/test-attempts: a student starts a published test of their class; one in progress (409). 201. */
import { attemptableTest } from '../../lib/authz/tests';
import { httpHandler } from '../../lib/http/stack';
import { storage } from '../../lib/storage';
import { insertTestAttemptSchema } from '../../shared/schema';

export const handler = httpHandler(
  { auth: 'session', body: insertTestAttemptSchema },
  async ({ caller, body }) => {
    const test = await attemptableTest(caller, body.testId);
    // A second attempt in progress loses on storage's unique key: its ConflictError is the 409.
    const attempt = await storage.createTestAttempt({ testId: test.id, studentId: caller.userId });
    return { status: 201, body: attempt };
  },
);
