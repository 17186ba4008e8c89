/** The mark-overdue-assignments job against the real engine. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler } from '../../functions/jobs/mark-overdue-assignments';
import { closeMongo } from '../../lib/db/mongo';
import { storage } from '../../lib/storage';
import { useIsolatedEnv } from '../helpers/isolated-env';

const HOUR = 3_600_000;

describe('mark-overdue-assignments', () => {
  beforeAll(() => useIsolatedEnv('mark-overdue', { cassandra: false }));
  afterAll(closeMongo);

  it('turns pending and started assignments past due into overdue, once, and nothing else', async () => {
    const past = new Date(Date.now() - HOUR);
    const future = new Date(Date.now() + HOUR);
    const make = (studentId: number, dueDate: Date) =>
      storage.upsertTestAssignment({ testId: 1, studentId, assignedBy: 99, dueDate });
    const pendingLate = await make(1, past);
    const startedLate = await make(2, past);
    await storage.updateTestAssignment(startedLate.id, { status: 'started' });
    const completedLate = await make(3, past);
    await storage.updateTestAssignment(completedLate.id, { status: 'completed' });
    const pendingOnTime = await make(4, future);

    expect((await handler({})).updated).toBe(2);
    expect((await handler({})).updated).toBe(0);
    const status = async (id: number) => (await storage.getTestAssignment(id))?.status;
    expect(await status(pendingLate.id)).toBe('overdue');
    expect(await status(startedLate.id)).toBe('overdue');
    expect(await status(completedLate.id)).toBe('completed');
    expect(await status(pendingOnTime.id)).toBe('pending');
  });

  it('ends in the same state when two runs overlap', async () => {
    const past = new Date(Date.now() - HOUR);
    const late = await Promise.all(
      [11, 12, 13].map((studentId) =>
        storage.upsertTestAssignment({ testId: 2, studentId, assignedBy: 99, dueDate: past }),
      ),
    );
    await Promise.all([handler({}), handler({})]);
    for (const assignment of late)
      expect((await storage.getTestAssignment(assignment.id))?.status).toBe('overdue');
  });
});
