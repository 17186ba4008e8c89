/**
 * PATCH /api/test-attempts/:id: the student completes it; the test's owner evaluates it (score).
 * The student's copy has score null while their grades are withheld (lib/authz/tests.ts).
 */
import { attemptChange, attemptFor, readableAttempt } from '../../lib/authz/tests';
import { NotFoundError } from '../../lib/http/errors';
import { httpHandler } from '../../lib/http/stack';
import { storage } from '../../lib/storage';
import { idPathSchema, updateTestAttemptSchema } from '../../shared/schema';

export const handler = httpHandler(
  { auth: 'session', path: idPathSchema, body: updateTestAttemptSchema },
  async ({ caller, path, body }) => {
    const access = await readableAttempt(caller, path.id);
    // Storage applies the change only from the expected state (else StorageConflictError, a 409).
    const attempt = await storage.updateTestAttempt(path.id, attemptChange(access, body));
    if (!attempt) throw new NotFoundError('Attempt not found');
    return { status: 200, body: await attemptFor(access, attempt) };
  },
);
