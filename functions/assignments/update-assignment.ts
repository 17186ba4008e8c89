/**
 * PATCH /api/assignments/:id: the assigned student moves the status (started, completed); the
 * assigning teacher moves the due date. Either sending the other's change is 403. Which status
 * moves are allowed is lib/assignments/status: a refused one, or one overtaken by a concurrent
 * change, is 409 and changes nothing.
 */
import { assignmentAccess } from '../../lib/authz/assignments';
import { ForbiddenError, NotFoundError } from '../../lib/http/errors';
import { httpHandler } from '../../lib/http/stack';
import { storage } from '../../lib/storage';
import type { AssignmentChange } from '../../lib/storage/storage';
import { idPathSchema, updateTestAssignmentSchema } from '../../shared/schema';

export const handler = httpHandler(
  {
    auth: 'session',
    path: idPathSchema,
    body: updateTestAssignmentSchema,
  },
  async ({ caller, path, body }) => {
    const access = await assignmentAccess(caller, path.id);
    let change: AssignmentChange;
    if (access.as === 'student') {
      if (body.dueDate !== undefined || body.status === undefined) {
        throw new ForbiddenError('Only the teacher who assigned it may move the due date');
      }
      change = { by: 'student', status: body.status };
    } else {
      if (body.status !== undefined || body.dueDate === undefined) {
        throw new ForbiddenError('Only the student may change the status');
      }
      change = { by: 'teacher', dueDate: body.dueDate };
    }
    const updated = await storage.updateTestAssignment(path.id, change);
    if (!updated) throw new NotFoundError('Assignment not found');
    return { status: 200, body: updated };
  },
);
