/**
 * POST /api/test-attempts: a student starts a published test of their class; one in progress (409).
 * 201. Honors Idempotency-Key: a retried start returns the first attempt instead of a 409.
 */
import { attemptableTest } from '../../lib/authz/tests';
import { idempotencyKey, idempotent } from '../../lib/http/idempotency';
import { httpHandler } from '../../lib/http/stack';
import { storage } from '../../lib/storage';
import { insertTestAttemptSchema } from '../../shared/schema';

export const handler = httpHandler(
  { auth: 'session', body: insertTestAttemptSchema },
  async ({ caller, body, headers }) => {
    const start = async () => {
      const test = await attemptableTest(caller, body.testId);
      // A second attempt in progress loses on storage's unique key: its ConflictError is the 409.
      const attempt = await storage.createTestAttempt({
        testId: test.id,
        studentId: caller.userId,
      });
      return { status: 201, body: attempt };
    };
    const key = idempotencyKey(headers);
    return key
      ? idempotent({ userId: caller.userId, scope: 'POST /api/test-attempts', key, body }, start)
      : start();
  },
);
