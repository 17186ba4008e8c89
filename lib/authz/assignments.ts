/**
 * Who may see, assign and change test assignments. The student an assignment is for and the
 * teacher who assigned it can see it; anyone else gets 404 (they need not learn it exists).
 *
 * Assigning follows the rules of lib/authz/tests.ts, so an assigned student can always open and
 * start the test: only its owner assigns it (404/403 as for editing it), only while it takes
 * attempts (409 for a draft or completed test), and only to students who may read it (400 naming
 * the others: not students, or not of the test's class).
 */
import type { InsertTestAssignment, Test, TestAssignment } from '../../shared/schema';
import { BadRequestError, NotFoundError } from '../http/errors';
import type { Caller } from '../http/types';
import { storage } from '../storage';
import { ownedTest, requireOpenForAttempts, studentMayRead } from './tests';

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

/** A test the caller may assign: their own (404/403 as ownedTest) and open for attempts (409). */
export async function assignableTest(caller: Caller, testId: number): Promise<Test> {
  const test = await ownedTest(caller, testId);
  requireOpenForAttempts(test);
  return test;
}

/**
 * The students a request assigns `test` to, each one who may read it. Named ids that are not
 * such students are a 400 listing them; a class other than the test's is a 400 (its students
 * could not open the test); the test's class means its students (possibly none).
 */
export async function assignees(
  test: Test,
  body: Pick<InsertTestAssignment, 'studentIds' | 'class'>,
): Promise<number[]> {
  if (body.studentIds) {
    const users = new Map((await storage.getUsersByIds(body.studentIds)).map((u) => [u.id, u]));
    const refused = (reason: (id: number) => boolean) => body.studentIds?.filter(reason) ?? [];
    const notStudents = refused((id) => users.get(id)?.role !== 'student');
    const otherClass = refused((id) => {
      const user = users.get(id);
      return user?.role === 'student' && !studentMayRead(user, test);
    });
    if (notStudents.length > 0 || otherClass.length > 0) {
      const issues = [
        ...(notStudents.length > 0
          ? [{ path: 'body.studentIds', message: `not students: ${notStudents.join(', ')}` }]
          : []),
        ...(otherClass.length > 0
          ? [
              {
                path: 'body.studentIds',
                message: `not in the test's class (${test.class}): ${otherClass.join(', ')}`,
              },
            ]
          : []),
      ];
      throw new BadRequestError('Some ids are not students who may take this test', issues);
    }
    return body.studentIds;
  }
  if (body.class !== test.class) {
    throw new BadRequestError('Only the test’s own class can be assigned', [
      { path: 'body.class', message: `must be the test's class (${test.class})` },
    ]);
  }
  return (await storage.getUsersByClass(test.class))
    .filter((user) => studentMayRead(user, test))
    .map((user) => user.id);
}
