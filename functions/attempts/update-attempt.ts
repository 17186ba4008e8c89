/** PATCH /api/test-attempts/:id: the student completes it; the test's owner evaluates it (score). */
import * as z from 'zod/mini';
import { attemptChange, readableAttempt } from '../../lib/authz/tests';
import { NotFoundError } from '../../lib/http/errors';
import { httpHandler } from '../../lib/http/stack';
import { storage } from '../../lib/storage';
import { idParamSchema, updateTestAttemptSchema } from '../../shared/schema';

const path = z.strictObject({ id: idParamSchema });

export const handler = httpHandler(
  { auth: 'session', path, body: updateTestAttemptSchema },
  async ({ caller, path, body }) => {
    const access = await readableAttempt(caller, path.id);
    // Storage applies the change only from the expected state (ConflictError, 409, otherwise).
    const attempt = await storage.updateTestAttempt(path.id, attemptChange(access, body));
    if (!attempt) throw new NotFoundError('Attempt not found');
    return { status: 200, body: attempt };
  },
);
