/** PATCH /api/tests/:id: the owner changes some fields; teacherId is not one (400). */
import * as z from 'zod/mini';
import { ownedTest } from '../../lib/authz/tests';
import { NotFoundError } from '../../lib/http/errors';
import { httpHandler } from '../../lib/http/stack';
import { storage } from '../../lib/storage';
import { idPathSchema, updateTestSchema } from '../../shared/schema';

// An empty change is a client mistake worth naming, not a silent 200.
const body = updateTestSchema.check(
  z.refine((change) => Object.keys(change).length > 0, 'nothing to change'),
);

export const handler = httpHandler(
  { auth: 'session', path: idPathSchema, body },
  async ({ caller, path, body }) => {
    await ownedTest(caller, path.id);
    const test = await storage.updateTest(path.id, body);
    // Deleted between the check and the update.
    if (!test) throw new NotFoundError('Test not found');
    return { status: 200, body: test };
  },
);
