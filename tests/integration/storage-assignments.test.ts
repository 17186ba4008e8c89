/** Test assignments of mongoStorage (lib/storage/mongo/assignments.ts), real engine. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAllowedEdge } from '../../lib/assignments/status';
import { closeMongo, withMongo } from '../../lib/db/mongo';
import { StorageConflictError } from '../../lib/storage/errors';
import type { AssignmentChange } from '../../lib/storage/storage';
import { AssignmentTransitionModel } from '../../shared/mongo-schema';
import type { TestAssignment } from '../../shared/schema';
import { useIsolatedEnv } from '../helpers/isolated-env';
import {
  expectConflict,
  expectNothingFound,
  fulfilled,
  HOSTILE,
  inParallel,
  type Outcome,
  outcome,
  rawCollection,
  rejected,
  storage,
} from '../helpers/storage';

const DAY = 86_400_000;
const future = (days: number) => new Date(Date.now() + days * DAY);
const past = (days: number) => new Date(Date.now() - days * DAY);

/** A due date just ahead, and a wait until it has passed (to have pending assignments past due). */
const SOON_MS = 1_500;
const soon = () => new Date(Date.now() + SOON_MS);
const untilPassed = (due: Date) =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, due.getTime() - Date.now() + 10)));

/** Assigns one student; the assignment. */
async function assign(
  testId: number,
  studentId: number,
  dueDate: Date,
  assignedBy = 5,
): Promise<TestAssignment> {
  const [assignment] = await storage.assignTest({
    testId,
    studentIds: [studentId],
    assignedBy,
    dueDate,
  });
  return assignment as TestAssignment;
}

const student = (status: 'started' | 'completed'): AssignmentChange => ({ by: 'student', status });
const teacher = (dueDate: Date): AssignmentChange => ({ by: 'teacher', dueDate });

/**
 * Asserts an assignment's recorded history is a chain the state machine allows: revisions 1..n
 * with no gap, each starting where the one before ended, each status change an allowed edge for
 * its actor (a kept status only as the teacher's due-date move), and the document at the end of it.
 */
async function expectLawfulHistory(id: number, initial = 'pending'): Promise<void> {
  const history = await withMongo(() =>
    AssignmentTransitionModel.find({ assignmentId: id }).sort({ revision: 1 }).lean(),
  );
  let status = initial;
  history.forEach((step, i) => {
    expect(step.revision).toBe(i + 1);
    expect(step.from).toBe(status);
    if (step.to === step.from) expect(step.by).toBe('teacher');
    else
      expect(
        isAllowedEdge(step.from, step.to, step.by),
        `${step.by}: ${step.from} -> ${step.to}`,
      ).toBe(true);
    status = step.to;
  });
  const raw = await (await rawCollection('testassignments')).findOne({ id });
  expect(raw?.status).toBe(status);
  expect(raw?.revision).toBe(history.length);
}

describe('assignment storage', () => {
  beforeAll(() => useIsolatedEnv('storage-assignments', { cassandra: false }));
  afterAll(closeMongo);

  describe('assignTest', () => {
    it('creates a pending assignment, then updates the due date of the same one', async () => {
      const due1 = future(7);
      const first = await assign(20, 30, due1);
      expect(first).toEqual({
        id: expect.any(Number),
        testId: 20,
        studentId: 30,
        assignedBy: 5,
        assignedDate: expect.any(Date),
        dueDate: due1,
        status: 'pending',
        notificationSent: false,
      });
      const due2 = future(14);
      const second = await assign(20, 30, due2);
      expect(second).toEqual({ ...first, dueDate: due2 });
      expect(await storage.getTestAssignments({ studentId: 30, testId: 20 })).toEqual([second]);
      expect(await storage.getTestAssignment(first.id)).toEqual(second);
      await expectLawfulHistory(first.id);
    });

    it('revives an overdue assignment to pending, or to started if it had been started', async () => {
      const never = await assign(21, 31, past(1));
      expect(never.status).toBe('overdue');
      const begun = await assign(21, 32, future(1));
      await storage.updateTestAssignment(begun.id, student('started'));
      expect((await assign(21, 32, past(1))).status).toBe('overdue');
      const due = future(3);
      const revived = await storage.assignTest({
        testId: 21,
        studentIds: [31, 32],
        assignedBy: 5,
        dueDate: due,
      });
      expect(revived.map((a) => [a.studentId, a.status, a.dueDate])).toEqual([
        [31, 'pending', due],
        [32, 'started', due],
      ]);
      await expectLawfulHistory(never.id, 'overdue');
      await expectLawfulHistory(begun.id);
    });

    it('turns pending into overdue when the new due date is past; overdue stays overdue', async () => {
      const created = await assign(22, 33, future(3));
      const late = past(3);
      expect(await assign(22, 33, late)).toEqual({ ...created, dueDate: late, status: 'overdue' });
      const due = past(1);
      const still = await assign(22, 33, due);
      expect(still).toEqual({ ...created, dueDate: due, status: 'overdue' });
      await expectLawfulHistory(created.id);
    });

    it('keeps a completed assignment completed and moves its due date', async () => {
      const created = await assign(23, 34, future(1));
      await storage.updateTestAssignment(created.id, student('completed'));
      for (const due of [future(10), past(10)]) {
        expect(await assign(23, 34, due)).toEqual({
          ...created,
          dueDate: due,
          status: 'completed',
        });
      }
      await expectLawfulHistory(created.id);
    });

    it('keeps one assignment under 20 parallel assignments of one (student, test)', async () => {
      const dates = Array.from({ length: 20 }, (_, i) => future(i + 1));
      const { results, ms } = await inParallel(20, (i) => assign(24, 35, dates[i] as Date));
      console.log(`20 parallel assignTest of one student in ${ms} ms`);
      expect(rejected(results)).toEqual([]);
      expect(new Set(fulfilled(results).map((a) => a.id)).size).toBe(1);
      const stored = await storage.getTestAssignments({ studentId: 35, testId: 24 });
      expect(stored).toHaveLength(1);
      expect(dates.map((d) => d.getTime())).toContain(stored[0]?.dueDate.getTime());
      const assignments = await rawCollection('testassignments');
      expect(await assignments.countDocuments({ studentId: 35, testId: 24 })).toBe(1);
      await expectLawfulHistory(stored[0]?.id as number);
    });

    it('assigns 500 students once each in one call, and again without duplicates', async () => {
      const studentIds = Array.from({ length: 500 }, (_, i) => 10_000 + i);
      const due = future(5);
      let started = performance.now();
      const first = await storage.assignTest({
        testId: 25,
        studentIds,
        assignedBy: 5,
        dueDate: due,
      });
      console.log(
        `assignTest of 500 new students in ${Math.round(performance.now() - started)} ms`,
      );
      expect(first.map((a) => a.studentId)).toEqual(studentIds);
      expect(new Set(first.map((a) => a.id)).size).toBe(500);
      expect(
        first.every((a) => a.status === 'pending' && a.dueDate.getTime() === due.getTime()),
      ).toBe(true);

      const later = future(9);
      started = performance.now();
      const again = await storage.assignTest({
        testId: 25,
        studentIds,
        assignedBy: 5,
        dueDate: later,
      });
      console.log(
        `assignTest of 500 existing students in ${Math.round(performance.now() - started)} ms`,
      );
      expect(again.map((a) => a.id)).toEqual(first.map((a) => a.id));
      expect(again.every((a) => a.dueDate.getTime() === later.getTime())).toBe(true);
      const raw = await rawCollection('testassignments');
      expect(await raw.countDocuments({ testId: 25 })).toBe(500);
      expect((await raw.distinct('studentId', { testId: 25 })).sort((a, b) => a - b)).toEqual(
        studentIds,
      );
    });

    it('keeps one assignment per student when overlapping classes are assigned at once', async () => {
      // Eight calls, each for 60 students overlapping its neighbours by half.
      const { results } = await inParallel(8, (i) =>
        storage.assignTest({
          testId: 26,
          studentIds: Array.from({ length: 60 }, (_, j) => 20_000 + i * 30 + j),
          assignedBy: 5,
          dueDate: future(i + 1),
        }),
      );
      expect(rejected(results)).toEqual([]);
      const raw = await rawCollection('testassignments');
      const students = 7 * 30 + 60;
      expect(await raw.countDocuments({ testId: 26 })).toBe(students);
      expect((await raw.distinct('studentId', { testId: 26 })).length).toBe(students);
      expect((await raw.distinct('id', { testId: 26 })).length).toBe(students);
    });
  });

  describe('updateTestAssignment', () => {
    it('moves a student’s status along the allowed edges only', async () => {
      const a = await assign(30, 40, future(2));
      // The same due date again is no change: nothing written, nothing refused.
      expect(await storage.updateTestAssignment(a.id, teacher(a.dueDate))).toEqual(a);
      expect((await storage.updateTestAssignment(a.id, student('started')))?.status).toBe(
        'started',
      );
      await expectConflict(storage.updateTestAssignment(a.id, student('started')), 'status');
      expect((await storage.updateTestAssignment(a.id, student('completed')))?.status).toBe(
        'completed',
      );
      await expectConflict(storage.updateTestAssignment(a.id, student('started')), 'status');
      await expectConflict(storage.updateTestAssignment(a.id, student('completed')), 'status');
      expect((await storage.getTestAssignment(a.id))?.status).toBe('completed');
      await expectLawfulHistory(a.id);
    });

    it('refuses a student on an overdue assignment until the teacher extends it', async () => {
      const a = await assign(31, 41, future(2));
      expect((await storage.updateTestAssignment(a.id, teacher(past(1))))?.status).toBe('overdue');
      const refused = await outcome(storage.updateTestAssignment(a.id, student('completed')));
      expect(refused.ok).toBe(false);
      if (!refused.ok) expect((refused.error as Error).message).toMatch(/overdue/);
      await expectConflict(storage.updateTestAssignment(a.id, student('started')), 'status');
      const due = future(1);
      expect(await storage.updateTestAssignment(a.id, teacher(due))).toMatchObject({
        status: 'pending',
        dueDate: due,
      });
      expect((await storage.updateTestAssignment(a.id, student('completed')))?.status).toBe(
        'completed',
      );
      await expectLawfulHistory(a.id);
    });

    it('is undefined for an unknown id', async () => {
      expect(await storage.updateTestAssignment(999_999, student('started'))).toBeUndefined();
      expect(await storage.getTestAssignment(999_999)).toBeUndefined();
    });

    it('answers 409 while another writer holds the next revision, and completes a stale claim', async () => {
      const a = await assign(32, 42, future(2));
      const claim = (at: Date) =>
        withMongo(() =>
          AssignmentTransitionModel.create({
            _id: `${a.id}:1`,
            assignmentId: a.id,
            revision: 1,
            by: 'student',
            from: 'pending',
            to: 'started',
            dueDate: a.dueDate,
            startedAt: at,
            at,
          }),
        );
      await claim(new Date());
      // A writer in flight: its change is not written yet, and nobody may overtake it.
      await expectConflict(storage.updateTestAssignment(a.id, student('completed')), 'status');
      expect((await storage.getTestAssignment(a.id))?.status).toBe('pending');
      // A writer that died two minutes ago: the next one writes its change, then its own.
      await withMongo(() =>
        AssignmentTransitionModel.updateOne(
          { _id: `${a.id}:1` },
          { $set: { at: new Date(Date.now() - 120_000) } },
        ),
      );
      expect((await storage.updateTestAssignment(a.id, student('completed')))?.status).toBe(
        'completed',
      );
      await expectLawfulHistory(a.id);
    });
  });

  describe('concurrency: no transition the machine forbids', () => {
    it('a student completing races the job and the teacher moving the due date', async () => {
      // Past due and pending: the job would make them overdue; the student completes; the teacher
      // moves the due date into the future. Whatever the order, each history is a lawful chain,
      // a completion that answered 200 is the final state, and one that answered 409 changed nothing.
      const n = 12;
      const due = soon();
      const created = await storage.assignTest({
        testId: 33,
        studentIds: Array.from({ length: n }, (_, i) => 30_000 + i),
        assignedBy: 5,
        dueDate: due,
      });
      await untilPassed(due);
      // The job first, then each assignment's moves in alternating order, so every ordering
      // (job, student, teacher first) occurs among them.
      const jobs = [
        storage.markOverdueAssignments(new Date()),
        storage.markOverdueAssignments(new Date()),
      ];
      const completions: Promise<Outcome<unknown>>[] = [];
      const extensions: Promise<Outcome<unknown>>[] = [];
      created.forEach((a, i) => {
        const complete = () =>
          completions.push(outcome(storage.updateTestAssignment(a.id, student('completed'))));
        const extend = () =>
          extensions.push(outcome(storage.updateTestAssignment(a.id, teacher(future(1)))));
        if (i % 3 === 0) complete();
        else if (i % 3 === 1) {
          extend();
          complete();
        } else {
          complete();
          extend();
        }
      });
      const [done] = await Promise.all([
        Promise.all(completions),
        Promise.all(extensions),
        Promise.all(jobs),
      ]);
      let completed = 0;
      for (const [i, result] of done.entries()) {
        const a = created[i] as TestAssignment;
        const now = await storage.getTestAssignment(a.id);
        if (result.ok) {
          completed += 1;
          expect(now?.status).toBe('completed');
        } else {
          expect(result.error).toBeInstanceOf(StorageConflictError);
          expect(now?.status).not.toBe('completed');
        }
        await expectLawfulHistory(a.id);
      }
      console.log(`${completed} of ${n} completions won against the job and the teacher`);
    }, 120_000);

    it('a student starting races the teacher moving the due date into the past', async () => {
      const n = 12;
      const created = await storage.assignTest({
        testId: 34,
        studentIds: Array.from({ length: n }, (_, i) => 31_000 + i),
        assignedBy: 5,
        dueDate: future(1),
      });
      await Promise.all(
        created.flatMap((a) => [
          outcome(storage.updateTestAssignment(a.id, student('started'))),
          outcome(storage.updateTestAssignment(a.id, teacher(past(1)))),
          outcome(storage.updateTestAssignment(a.id, student('completed'))),
        ]),
      );
      for (const a of created) await expectLawfulHistory(a.id);
    }, 120_000);
  });

  describe('getTestAssignments', () => {
    let a: TestAssignment;
    let b: TestAssignment;
    let c: TestAssignment;
    let d: TestAssignment;

    beforeAll(async () => {
      // Test 40 by teacher 8 for students 50 and 51; test 41 by teacher 9 for student 50.
      a = await assign(40, 50, new Date('2031-03-01T00:00:00Z'), 8);
      b = await assign(40, 51, new Date('2031-01-01T00:00:00Z'), 8);
      c = await assign(41, 50, new Date('2031-02-01T00:00:00Z'), 9);
      d = await assign(42, 52, new Date('2031-02-01T00:00:00Z'), 9);
    });

    it('filters by student, test, teacher and status, earliest due date first', async () => {
      const ids = async (filter: Parameters<typeof storage.getTestAssignments>[0]) =>
        (await storage.getTestAssignments(filter)).map((x) => x.id);
      expect(await ids({ studentId: 50 })).toEqual([c.id, a.id]);
      expect(await ids({ testId: 40 })).toEqual([b.id, a.id]);
      expect(await ids({ assignedBy: 9 })).toEqual([c.id, d.id]);
      expect(await ids({ assignedBy: 8, studentId: 51 })).toEqual([b.id]);
      expect(await ids({ testId: 41, studentId: 51 })).toEqual([]);
      expect(await storage.getTestAssignments({ testId: 40, studentId: 50 })).toEqual([a]);

      await storage.updateTestAssignment(b.id, student('started'));
      expect(await ids({ testId: 40, status: 'started' })).toEqual([b.id]);
      expect(await ids({ testId: 40, status: 'pending' })).toEqual([a.id]);
    });
  });

  describe('operator objects where an id is expected', () => {
    beforeAll(async () => {
      await assign(60, 70, future(2), 9);
    });

    it.each([
      ['getTestAssignment', () => storage.getTestAssignment(HOSTILE)],
      ['getTestAssignments', () => storage.getTestAssignments({ studentId: HOSTILE })],
    ])('%s finds nothing', async (_name, call) => {
      await expectNothingFound(call());
    });
  });
});
