/**
 * GET /api/assignments?status=&testId=: a student's own assignments; a teacher's, those they
 * assigned. Soonest due first.
 */
import * as z from 'zod/mini';
import { httpHandler } from '../../lib/http/stack';
import { storage } from '../../lib/storage';
import { assignmentStatuses, idParamSchema } from '../../shared/schema';

const query = z.strictObject({
  status: z.optional(z.enum(assignmentStatuses)),
  testId: z.optional(idParamSchema),
});

export const handler = httpHandler({ auth: 'session', query }, async ({ caller, query }) => ({
  status: 200,
  body: await storage.getTestAssignments({
    ...(caller.role === 'student' ? { studentId: caller.userId } : { assignedBy: caller.userId }),
    ...(query.status ? { status: query.status } : {}),
    ...(query.testId ? { testId: query.testId } : {}),
  }),
}));
