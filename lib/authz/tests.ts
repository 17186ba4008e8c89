/**
 * Who may see and do what with tests, questions, attempts and answers: every access rule of the
 * HTTP API for this area, in one place. Handlers call these and nothing else decides access.
 *
 * Which status, one rule for the whole area:
 * - 404 when the caller may not READ the thing: it answers exactly as if it did not exist, so ids
 *   cannot be probed (another teacher's test, a test of another class, a draft asked for by a
 *   student, another student's attempt or answer, an attempt at another teacher's test).
 * - 403 when the caller may read it but not do this (a student editing a test of their class, a
 *   teacher completing a student's attempt, a student grading their own answer), and for the wrong
 *   role on a role-only route (a student creating a test, a teacher starting an attempt).
 * - 409 when the caller may act but the thing's state forbids it now (an attempt no longer in
 *   progress, a test that is not open for attempts).
 *
 * Readable: a test by its owner teacher, and by the students of its class unless it is a draft
 * (a student's class is read from their user record, never from the request); an attempt and its
 * answers by the student who made it and by the owner teacher of its test.
 *
 * Grades (answer scores, isCorrect, feedback, the attempt's score, analytics) reach a student only
 * once they can make no further attempt at the test (gradesVisible): shown after each attempt
 * with retakes left, they would give the MCQ keys away one option at a time. The teacher always
 * sees them.
 */
import type {
  Analytics,
  Answer,
  PublicUser,
  Question,
  StudentQuestion,
  Test,
  TestAttempt,
  TestStatus,
  UpdateTestAttempt,
  UserRole,
} from '../../shared/schema';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from '../http/errors';
import type { Caller } from '../http/types';
import { storage } from '../storage';
import type { AttemptChange } from '../storage/storage';

/** 403 unless the caller has `role` (for routes only one role may use). */
export function requireRole(caller: Caller, role: UserRole): void {
  if (caller.role !== role) throw new ForbiddenError(`Only a ${role} may do this`);
}

/** The class of a student caller, from their user record (null when they have none). */
async function studentClass(caller: Caller): Promise<string | null> {
  return (await storage.getUser(caller.userId))?.class ?? null;
}

const ownsTest = (caller: Caller, test: Test) =>
  caller.role === 'teacher' && test.teacherId === caller.userId;

// ---------------------------------------------------------------------------------------------
// Tests

/** The teacherId of a test the caller creates: the caller, a teacher; naming anyone else is 403. */
export function newTestOwner(caller: Caller, requested: number | undefined): number {
  requireRole(caller, 'teacher');
  if (requested !== undefined && requested !== caller.userId) {
    throw new ForbiddenError('A test can only be created for yourself');
  }
  return caller.userId;
}

/** The tests the caller may list: a teacher's own; a student's class's, never drafts. */
export async function visibleTests(caller: Caller, status?: TestStatus): Promise<Test[]> {
  if (caller.role === 'teacher') return storage.getTestsByTeacher(caller.userId, status);
  const className = await studentClass(caller);
  return className ? storage.getTestsByClass(className, { status, includeDrafts: false }) : [];
}

/** A test the caller may read (its owner; a student of its class unless a draft), else 404. */
export async function readableTest(caller: Caller, testId: number): Promise<Test> {
  const test = await storage.getTest(testId);
  if (test && (ownsTest(caller, test) || (await isOpenToStudent(caller, test)))) return test;
  throw new NotFoundError('Test not found');
}

async function isOpenToStudent(caller: Caller, test: Test): Promise<boolean> {
  if (caller.role !== 'student') return false;
  return studentMayRead({ role: 'student', class: await studentClass(caller) }, test);
}

/**
 * The one rule for which students may read a test: a student of its class, and the test not a
 * draft. Assigning a test checks its students with this too, so an assigned test is never one
 * its student cannot open.
 */
export function studentMayRead(user: Pick<PublicUser, 'role' | 'class'>, test: Test): boolean {
  return user.role === 'student' && test.status !== 'draft' && user.class === test.class;
}

/** The one rule for when a test takes attempts (and so may be assigned): published. */
export function isOpenForAttempts(test: Test): boolean {
  return test.status === 'published';
}

/** 409 unless the test takes attempts. */
export function requireOpenForAttempts(test: Test): void {
  if (!isOpenForAttempts(test)) throw new ConflictError('The test is not open for attempts');
}

/** A test the caller owns: 404 if they may not read it, 403 if they may but do not own it. */
export async function ownedTest(caller: Caller, testId: number): Promise<Test> {
  const test = await readableTest(caller, testId);
  if (!ownsTest(caller, test)) throw new ForbiddenError('Only the teacher who owns the test may');
  return test;
}

/**
 * Whether a student sees the grades of their attempts at a test: none in progress (it could still
 * use what they reveal) and no further attempt possible, because every one of maxAttempts is used
 * or the teacher has marked the test completed. A draft shows nothing new: a teacher moving a
 * test back to draft (to fix a typo) would otherwise show the keys, then republish it for retakes.
 * A test that is gone allows no attempts either.
 */
export function gradesVisible(
  test: Pick<Test, 'status' | 'maxAttempts'> | undefined,
  attempts: Pick<TestAttempt, 'status'>[],
): boolean {
  if (attempts.some((attempt) => attempt.status === 'in_progress')) return false;
  if (!test) return true;
  return test.status === 'completed' || attempts.length >= test.maxAttempts;
}

/** gradesVisible for the student who made `attempt`, read fresh from storage. */
async function gradesVisibleForAttempt(attempt: TestAttempt): Promise<boolean> {
  if (attempt.status === 'in_progress') return false;
  const [test, attempts] = await Promise.all([
    storage.getTest(attempt.testId),
    storage.getTestAttemptsByStudent(attempt.studentId, attempt.testId),
  ]);
  return gradesVisible(test, attempts);
}

/** A test the calling student may start an attempt at: readable (404) and published (409). */
export async function attemptableTest(caller: Caller, testId: number): Promise<Test> {
  requireRole(caller, 'student');
  const test = await readableTest(caller, testId);
  requireOpenForAttempts(test);
  return test;
}

/**
 * A test's questions as the caller may see them: whole for its owner; for anyone else (its
 * students) built field by field, so an answer key or rubric added later cannot leak.
 */
export function questionsFor(
  caller: Caller,
  test: Test,
  questions: Question[],
): Question[] | StudentQuestion[] {
  if (ownsTest(caller, test)) return questions;
  return questions.map((q) => ({
    id: q.id,
    testId: q.testId,
    type: q.type,
    text: q.text,
    options: q.options,
    marks: q.marks,
    order: q.order,
    topic: q.topic,
  }));
}

// ---------------------------------------------------------------------------------------------
// Attempts

/** An attempt the caller may read, and in which capacity. */
export type AttemptAccess =
  /** The caller made the attempt. */
  | { as: 'student'; attempt: TestAttempt }
  /** The caller owns the attempt's test. */
  | { as: 'teacher'; attempt: TestAttempt; test: Test };

async function attemptAccess(caller: Caller, attemptId: number): Promise<AttemptAccess | null> {
  const attempt = await storage.getTestAttempt(attemptId);
  if (!attempt) return null;
  if (caller.role === 'student') {
    return attempt.studentId === caller.userId ? { as: 'student', attempt } : null;
  }
  const test = await storage.getTest(attempt.testId);
  return test && ownsTest(caller, test) ? { as: 'teacher', attempt, test } : null;
}

/** An attempt the caller may read (its student, the owner of its test), else 404. */
export async function readableAttempt(caller: Caller, attemptId: number): Promise<AttemptAccess> {
  const access = await attemptAccess(caller, attemptId);
  if (!access) throw new NotFoundError('Attempt not found');
  return access;
}

/**
 * The one change the caller may make to an attempt they can read: its student completes it (the
 * server stamps endTime), the test's owner evaluates a completed one with a score of at most the
 * test's total marks. Either of them sending the other's change is 403. The `from` states make
 * storage refuse (409) an attempt that is not, or no longer, in the expected state.
 */
export function attemptChange(access: AttemptAccess, body: UpdateTestAttempt): AttemptChange {
  if (access.as === 'student') {
    if (body.status !== 'completed') throw new ForbiddenError('Only the teacher evaluates');
    return { status: 'completed', from: ['in_progress'], endTime: new Date() };
  }
  if (body.status !== 'evaluated') throw new ForbiddenError('Only the student completes');
  if (body.score > access.test.totalMarks) {
    throw new BadRequestError('Invalid request body', [
      {
        path: 'body.score',
        message: `must be at most the test's totalMarks (${access.test.totalMarks})`,
      },
    ]);
  }
  return { status: 'evaluated', from: ['completed'], score: body.score };
}

// ---------------------------------------------------------------------------------------------
// Answers

const attemptNotInProgress = () =>
  new ConflictError('The attempt is not in progress', 'ATTEMPT_NOT_IN_PROGRESS');

/**
 * Where the calling student may answer: their own attempt (404 otherwise; 403 for the test's
 * owner), still in progress (409), and a question of that attempt's test (404 otherwise).
 */
export async function answerTarget(
  caller: Caller,
  attemptId: number,
  questionId: number,
): Promise<{ attempt: TestAttempt; question: Question }> {
  const access = await readableAttempt(caller, attemptId);
  if (access.as !== 'student') throw new ForbiddenError('Only the student who made the attempt');
  const { attempt } = access;
  if (attempt.status !== 'in_progress') {
    // A completion that failed before sealing leaves the seal to whoever next finds it finished:
    // a write that passed this check before the status changed must still be refused.
    await storage.sealFinishedAttempt(attempt.id);
    throw attemptNotInProgress();
  }
  const question = await storage.getQuestion(questionId);
  if (!question || question.testId !== attempt.testId) {
    throw new NotFoundError('Question not found in this test');
  }
  return { attempt, question };
}

/**
 * An answer the caller may grade: 404 unless they may read its attempt, 403 unless they own the
 * test, 409 while the attempt is in progress (the student could still replace it, which clears
 * any grade).
 */
export async function gradableAnswer(
  caller: Caller,
  answerId: number,
): Promise<{ answer: Answer; attempt: TestAttempt }> {
  const answer = await storage.getAnswer(answerId);
  const access = answer && (await attemptAccess(caller, answer.attemptId));
  if (!answer || !access) throw new NotFoundError('Answer not found');
  if (access.as !== 'teacher') throw new ForbiddenError('Only the teacher who owns the test');
  if (access.attempt.status === 'in_progress') {
    throw new ConflictError('The attempt is still in progress');
  }
  return { answer, attempt: access.attempt };
}

/** What a student sees of their answer while its grade is withheld: what they sent. */
export type PendingAnswer = Pick<
  Answer,
  'id' | 'attemptId' | 'questionId' | 'text' | 'selectedOption' | 'imageUrl'
>;

/**
 * Answers as the caller may see them. The teacher sees everything. The student sees scores,
 * correctness and feedback only once the grades are theirs to see (gradesVisible): while the
 * attempt is in progress `isCorrect` would reveal the MCQ key to a student who re-answers until
 * it turns true, and while retakes remain, to one who retakes the test.
 */
export async function answersFor(
  access: AttemptAccess,
  answers: Answer[],
): Promise<Answer[] | PendingAnswer[]> {
  if (access.as === 'teacher' || (await gradesVisibleForAttempt(access.attempt))) return answers;
  return answers.map((a) => ({
    id: a.id,
    attemptId: a.attemptId,
    questionId: a.questionId,
    text: a.text,
    selectedOption: a.selectedOption,
    imageUrl: a.imageUrl,
  }));
}

/** An attempt as the caller may see it: its score is null for its student while withheld. */
export async function attemptFor(
  access: AttemptAccess,
  attempt: TestAttempt,
): Promise<TestAttempt> {
  if (access.as === 'teacher' || attempt.score === null) return attempt;
  return (await gradesVisibleForAttempt(attempt)) ? attempt : { ...attempt, score: null };
}

/**
 * The calling student's analytics rows as they may see them: a test's row (its percentage and
 * topic accuracy are grades) only once its grades are visible (gradesVisible).
 */
export async function analyticsFor(caller: Caller, rows: Analytics[]): Promise<Analytics[]> {
  if (rows.length === 0) return rows;
  const [tests, attempts] = await Promise.all([
    storage.getTestsByIds([...new Set(rows.map((row) => row.testId))]),
    storage.getTestAttemptsByStudent(caller.userId),
  ]);
  const testsById = new Map(tests.map((test) => [test.id, test]));
  return rows.filter((row) =>
    gradesVisible(
      testsById.get(row.testId),
      attempts.filter((attempt) => attempt.testId === row.testId),
    ),
  );
}
