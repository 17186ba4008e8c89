/**
 * POST /api/tests/:id/assignments: the owner teacher assigns the test to students (by id or a
 * whole class) with a due date. One assignment per (student, test): assigning again moves the due
 * date. 201 + the assignments.
 */
import * as z from 'zod/mini';
import { ownedTest } from '../../lib/authz/tests';
import { BadRequestError } from '../../lib/http/errors';
import { httpHandler } from '../../lib/http/stack';
import { storage } from '../../lib/storage';
import { idParamSchema, insertTestAssignmentSchema } from '../../shared/schema';

export const handler = httpHandler(
  {
    auth: 'session',
    path: z.strictObject({ id: idParamSchema }),
    body: insertTestAssignmentSchema,
  },
  async ({ caller, path, body }) => {
    const test = await ownedTest(caller, path.id);
    let studentIds: number[];
    if (body.studentIds) {
      const students = await storage.getUsersByIds(body.studentIds);
      const known = new Set(students.filter((u) => u.role === 'student').map((u) => u.id));
      const unknown = body.studentIds.filter((id) => !known.has(id));
      if (unknown.length > 0) {
        throw new BadRequestError('Some ids are not students', [
          { path: 'body.studentIds', message: `not students: ${unknown.join(', ')}` },
        ]);
      }
      studentIds = [...known];
    } else {
      studentIds = (await storage.getUsersByClass(body.class as string)).map((u) => u.id);
    }
    const assignments = [];
    for (const studentId of studentIds) {
      assignments.push(
        await storage.upsertTestAssignment({
          testId: test.id,
          studentId,
          assignedBy: caller.userId,
          dueDate: body.dueDate,
        }),
      );
    }
    return { status: 201, body: assignments };
  },
);
