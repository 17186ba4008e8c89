/**
 * POST /api/tests/:id/assignments: the owner teacher assigns a published test to students of its
 * class (by id or the whole class) with a due date, in one bulk write. One assignment per
 * (student, test): assigning again moves the due date, with the status following the due-date
 * rules of lib/assignments/status. 201 + the assignments. 409 for a test not open for attempts;
 * 400 naming the ids that are not students of the test's class.
 */
import { assignableTest, assignees } from '../../lib/authz/assignments';
import { httpHandler } from '../../lib/http/stack';
import { storage } from '../../lib/storage';
import { idPathSchema, insertTestAssignmentSchema } from '../../shared/schema';

export const handler = httpHandler(
  {
    auth: 'session',
    path: idPathSchema,
    body: insertTestAssignmentSchema,
  },
  async ({ caller, path, body }) => {
    const test = await assignableTest(caller, path.id);
    const studentIds = await assignees(test, body);
    const assignments =
      studentIds.length === 0
        ? []
        : await storage.assignTest({
            testId: test.id,
            studentIds,
            assignedBy: caller.userId,
            dueDate: body.dueDate,
          });
    return { status: 201, body: assignments };
  },
);
