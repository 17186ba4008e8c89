/**
 * Who may see and change test assignments. The student an assignment is for and the teacher who
 * assigned it can see it; anyone else gets 404 (design.md §8: they need not learn it exists).
 */
import type { TestAssignment } from '../../shared/schema';
import { NotFoundError } from '../http/errors';
import type { Caller } from '../http/types';
import { storage } from '../storage';

export type AssignmentAccess =
  | { as: 'student'; assignment: TestAssignment }
  | { as: 'teacher'; assignment: TestAssignment };

/** The assignment and the caller's part in it, else 404. */
export async function assignmentAccess(caller: Caller, id: number): Promise<AssignmentAccess> {
  const assignment = await storage.getTestAssignment(id);
  if (assignment?.studentId === caller.userId) return { as: 'student', assignment };
  if (assignment?.assignedBy === caller.userId) return { as: 'teacher', assignment };
  throw new NotFoundError('Assignment not found');
}
