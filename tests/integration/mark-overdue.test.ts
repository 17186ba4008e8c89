/** The mark-overdue-assignments job against the real engine. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler } from '../../functions/jobs/mark-overdue-assignments';
import { closeMongo } from '../../lib/db/mongo';
import { storage } from '../../lib/storage';
import type { TestAssignment } from '../../shared/schema';
import { useIsolatedEnv } from '../helpers/isolated-env';

const HOUR = 3_600_000;

async function assign(testId: number, studentId: number, dueDate: Date): Promise<TestAssignment> {
  const [a] = await storage.assignTest({
    testId,
    studentIds: [studentId],
    assignedBy: 99,
    dueDate,
  });
  return a as TestAssignment;
}

describe('mark-overdue-assignments', () => {
  beforeAll(() => useIsolatedEnv('mark-overdue', { cassandra: false }));
  afterAll(closeMongo);

  it('turns pending and started assignments past due into overdue, once, and nothing else', async () => {
    const future = new Date(Date.now() + HOUR);
    // Assigned, started or completed while on time; the job runs after the due date has passed.
    const soon = new Date(Date.now() + 1_500);
    const pendingLate = await assign(1, 1, soon);
    const startedLate = await assign(1, 2, soon);
    await storage.updateTestAssignment(startedLate.id, { by: 'student', status: 'started' });
    const completedLate = await assign(1, 3, soon);
    await storage.updateTestAssignment(completedLate.id, { by: 'student', status: 'completed' });
    const pendingOnTime = await assign(1, 4, future);
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, soon.getTime() - Date.now() + 10)),
    );

    expect((await handler({})).updated).toBe(2);
    expect((await handler({})).updated).toBe(0);
    const status = async (id: number) => (await storage.getTestAssignment(id))?.status;
    expect(await status(pendingLate.id)).toBe('overdue');
    expect(await status(startedLate.id)).toBe('overdue');
    expect(await status(completedLate.id)).toBe('completed');
    expect(await status(pendingOnTime.id)).toBe('pending');
  });

  it('ends in the same state when two runs overlap', async () => {
    const soon = new Date(Date.now() + 1_000);
    const late = await Promise.all([11, 12, 13].map((studentId) => assign(2, studentId, soon)));
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, soon.getTime() - Date.now() + 10)),
    );
    const runs = await Promise.all([handler({}), handler({})]);
    expect(runs[0].updated + runs[1].updated).toBe(3);
    for (const assignment of late)
      expect((await storage.getTestAssignment(assignment.id))?.status).toBe('overdue');
  });
});
