/** Test assignments of mongoStorage (lib/storage/mongo/assignments.ts), real engine. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeMongo } from '../../lib/db/mongo';
import type { TestAssignment } from '../../shared/schema';
import { useIsolatedEnv } from '../helpers/isolated-env';
import {
  expectNothingFound,
  fulfilled,
  HOSTILE,
  inParallel,
  rawCollection,
  rejected,
  storage,
} from '../helpers/storage';

const DAY = 86_400_000;
const future = (days: number) => new Date(Date.now() + days * DAY);
const past = (days: number) => new Date(Date.now() - days * DAY);

describe('assignment storage', () => {
  beforeAll(() => useIsolatedEnv('storage-assignments', { cassandra: false }));
  afterAll(closeMongo);

  describe('upsertTestAssignment', () => {
    it('creates a pending assignment, then updates the due date of the same one', async () => {
      const due1 = future(7);
      const first = await storage.upsertTestAssignment({
        testId: 20,
        studentId: 30,
        assignedBy: 5,
        dueDate: due1,
      });
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
      const second = await storage.upsertTestAssignment({
        testId: 20,
        studentId: 30,
        assignedBy: 5,
        dueDate: due2,
      });
      expect(second).toEqual({ ...first, dueDate: due2 });
      expect(await storage.getTestAssignments({ studentId: 30, testId: 20 })).toEqual([second]);
      expect(await storage.getTestAssignment(first.id)).toEqual(second);
      expect(await storage.getTestAssignmentByStudentAndTest(30, 20)).toEqual(second);
    });

    it('revives an overdue assignment to pending when the new due date is in the future', async () => {
      const created = await storage.upsertTestAssignment({
        testId: 21,
        studentId: 31,
        assignedBy: 5,
        dueDate: past(1),
      });
      const overdue = await storage.updateTestAssignment(created.id, { status: 'overdue' });
      expect(overdue?.status).toBe('overdue');
      const due = future(3);
      const revived = await storage.upsertTestAssignment({
        testId: 21,
        studentId: 31,
        assignedBy: 5,
        dueDate: due,
      });
      expect(revived).toEqual({ ...created, dueDate: due, status: 'pending' });
    });

    it('leaves an overdue assignment overdue when the new due date is past', async () => {
      const created = await storage.upsertTestAssignment({
        testId: 22,
        studentId: 32,
        assignedBy: 5,
        dueDate: past(3),
      });
      await storage.updateTestAssignment(created.id, { status: 'overdue' });
      const due = past(1);
      const still = await storage.upsertTestAssignment({
        testId: 22,
        studentId: 32,
        assignedBy: 5,
        dueDate: due,
      });
      expect(still).toEqual({ ...created, dueDate: due, status: 'overdue' });
    });

    it('does not reset a completed assignment', async () => {
      const created = await storage.upsertTestAssignment({
        testId: 23,
        studentId: 33,
        assignedBy: 5,
        dueDate: future(1),
      });
      await storage.updateTestAssignment(created.id, { status: 'completed' });
      const due = future(10);
      const again = await storage.upsertTestAssignment({
        testId: 23,
        studentId: 33,
        assignedBy: 5,
        dueDate: due,
      });
      expect(again).toEqual({ ...created, dueDate: due, status: 'completed' });
    });

    it('keeps one assignment under 20 parallel upserts of one (student, test)', async () => {
      const dates = Array.from({ length: 20 }, (_, i) => future(i + 1));
      const { results, ms } = await inParallel(20, (i) =>
        storage.upsertTestAssignment({
          testId: 24,
          studentId: 34,
          assignedBy: 5,
          dueDate: dates[i] as Date,
        }),
      );
      console.log(`20 parallel upsertTestAssignment in ${ms} ms`);
      expect(rejected(results)).toEqual([]);
      expect(new Set(fulfilled(results).map((a) => a.id)).size).toBe(1);
      const stored = await storage.getTestAssignments({ studentId: 34, testId: 24 });
      expect(stored).toHaveLength(1);
      expect(dates.map((d) => d.getTime())).toContain(stored[0]?.dueDate.getTime());
      const assignments = await rawCollection('testassignments');
      expect(await assignments.countDocuments({ studentId: 34, testId: 24 })).toBe(1);
    });
  });

  describe('getTestAssignments and updateTestAssignment', () => {
    let a: TestAssignment;
    let b: TestAssignment;
    let c: TestAssignment;
    let d: TestAssignment;

    beforeAll(async () => {
      // Test 40 by teacher 8 for students 50 and 51; test 41 by teacher 9 for student 50.
      a = await storage.upsertTestAssignment({
        testId: 40,
        studentId: 50,
        assignedBy: 8,
        dueDate: new Date('2031-03-01T00:00:00Z'),
      });
      b = await storage.upsertTestAssignment({
        testId: 40,
        studentId: 51,
        assignedBy: 8,
        dueDate: new Date('2031-01-01T00:00:00Z'),
      });
      c = await storage.upsertTestAssignment({
        testId: 41,
        studentId: 50,
        assignedBy: 9,
        dueDate: new Date('2031-02-01T00:00:00Z'),
      });
      d = await storage.upsertTestAssignment({
        testId: 42,
        studentId: 52,
        assignedBy: 9,
        dueDate: new Date('2031-02-01T00:00:00Z'),
      });
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

      await storage.updateTestAssignment(b.id, { status: 'started' });
      expect(await ids({ testId: 40, status: 'started' })).toEqual([b.id]);
      expect(await ids({ testId: 40, status: 'pending' })).toEqual([a.id]);
    });

    it('updateTestAssignment changes only the given fields; unknown id is undefined', async () => {
      const dueDate = new Date('2031-06-01T00:00:00Z');
      const updated = await storage.updateTestAssignment(d.id, {
        status: 'completed',
        notificationSent: true,
        dueDate,
      });
      expect(updated).toEqual({ ...d, status: 'completed', notificationSent: true, dueDate });
      expect(await storage.getTestAssignment(d.id)).toEqual(updated);
      expect(await storage.updateTestAssignment(999_999, { status: 'started' })).toBeUndefined();
      expect(await storage.getTestAssignment(999_999)).toBeUndefined();
      expect(await storage.getTestAssignmentByStudentAndTest(52, 999_999)).toBeUndefined();
    });
  });

  describe('operator objects where an id is expected', () => {
    beforeAll(async () => {
      await storage.upsertTestAssignment({
        testId: 60,
        studentId: 70,
        assignedBy: 9,
        dueDate: future(2),
      });
    });

    it.each([
      ['getTestAssignment', () => storage.getTestAssignment(HOSTILE)],
      ['getTestAssignments', () => storage.getTestAssignments({ studentId: HOSTILE })],
      [
        'getTestAssignmentByStudentAndTest',
        () => storage.getTestAssignmentByStudentAndTest(HOSTILE, HOSTILE),
      ],
    ])('%s finds nothing', async (_name, call) => {
      await expectNothingFound(call());
    });
  });
});
