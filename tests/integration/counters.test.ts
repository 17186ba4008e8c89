/** lib/storage/mongo/counters.ts against the real engine. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeMongo, withMongo } from '../../lib/db/mongo';
import { nextId, nextIds } from '../../lib/storage/mongo/counters';
import { useIsolatedEnv } from '../helpers/isolated-env';

describe('nextId', () => {
  beforeAll(async () => {
    await useIsolatedEnv('counters', { cassandra: false });
  });
  afterAll(closeMongo);

  it('starts each sequence at 1 and counts up', async () => {
    expect(await withMongo(() => nextId('test_id'))).toBe(1);
    expect(await withMongo(() => nextId('test_id'))).toBe(2);
    expect(await withMongo(() => nextId('question_id'))).toBe(1);
  });

  it('gives 1,000 parallel callers 1,000 distinct ids', async () => {
    const started = performance.now();
    const ids = await withMongo(() =>
      Promise.all(Array.from({ length: 1_000 }, () => nextId('user_id'))),
    );
    console.log(`1,000 parallel ids in ${Math.round(performance.now() - started)} ms`);
    expect(new Set(ids).size).toBe(1_000);
    expect(Math.min(...ids)).toBeGreaterThanOrEqual(1);
    expect(ids.every((id) => Number.isInteger(id))).toBe(true);
  });

  it('gives parallel blocks and single ids no shared value (nextIds)', async () => {
    const started = performance.now();
    const [blocks, singles] = await withMongo(() =>
      Promise.all([
        Promise.all(Array.from({ length: 8 }, () => nextIds('assignment_id', 100))),
        Promise.all(Array.from({ length: 50 }, () => nextId('assignment_id'))),
      ]),
    );
    console.log(
      `8 blocks of 100 and 50 single ids in ${Math.round(performance.now() - started)} ms`,
    );
    for (const block of blocks) {
      expect(block).toHaveLength(100);
      expect(block).toEqual([...block].sort((a, b) => a - b));
    }
    const all = [...blocks.flat(), ...singles];
    expect(new Set(all).size).toBe(850);
    expect(await withMongo(() => nextIds('assignment_id', 0))).toEqual([]);
  });
});
