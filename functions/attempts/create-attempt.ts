/**
 * POST /api/test-attempts: a student starts a published test of their class; one in progress (409
 * ATTEMPT_IN_PROGRESS), at most the test's maxAttempts in all (409 ATTEMPT_LIMIT_REACHED). 201.
 * Honors Idempotency-Key (lib/http/idempotency): a retried start returns the first attempt
 * instead of a 409.
 */
import { attemptableTest } from '../../lib/authz/tests';
import { httpHandler } from '../../lib/http/stack';
import { storage } from '../../lib/storage';
import { insertTestAttemptSchema } from '../../shared/schema';

export const handler = httpHandler(
  {
    auth: 'session',
    body: insertTestAttemptSchema,
    idempotency: { scope: 'POST /api/test-attempts' },
  },
  async ({ caller, body }) => {
    const test = await attemptableTest(caller, body.testId);
    // Both limits are unique keys in storage (atomic): its StorageConflictError is the 409.
    const attempt = await storage.createTestAttempt({
      testId: test.id,
      studentId: caller.userId,
      maxAttempts: test.maxAttempts,
    });
    return { status: 201, body: attempt };
  },
);
