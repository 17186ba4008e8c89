/**
 * PATCH /api/assignments/:id: the assigned student moves the status to started or completed; the
 * assigning teacher moves the due date. Either sending the other's change is 403.
 */
import * as z from 'zod/mini';
import { assignmentAccess } from '../../lib/authz/assignments';
import { ForbiddenError, NotFoundError } from '../../lib/http/errors';
import { httpHandler } from '../../lib/http/stack';
import { storage } from '../../lib/storage';
import { idParamSchema, updateTestAssignmentSchema } from '../../shared/schema';

export const handler = httpHandler(
  {
    auth: 'session',
    path: z.strictObject({ id: idParamSchema }),
    body: updateTestAssignmentSchema,
  },
  async ({ caller, path, body }) => {
    const access = await assignmentAccess(caller, path.id);
    if (access.as === 'student' && body.dueDate !== undefined) {
      throw new ForbiddenError('Only the teacher who assigned it may move the due date');
    }
    if (access.as === 'teacher' && body.status !== undefined) {
      throw new ForbiddenError('Only the student may change the status');
    }
    const updated = await storage.updateTestAssignment(path.id, body);
    if (!updated) throw new NotFoundError('Assignment not found');
    return { status: 200, body: updated };
  },
);
