/** lib/storage/mongo/counters.ts against the real engine. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetConfig } from '../../lib/config';
import { closeMongo, withMongo } from '../../lib/db/mongo';
import { nextId, nextIds } from '../../lib/storage/mongo/counters';
import { useIsolatedEnv } from '../helpers/isolated-env';

/**
 * Enough callers that many rounds of 16 contend for one counter value at a time (FerretDB runs
 * `$inc` as a read then a write, so each round hands most of them a value already taken).
 */
const CALLERS = 200;
const CONNECTIONS = 16;

describe('nextId', () => {
  beforeAll(async () => {
    await useIsolatedEnv('counters', { cassandra: false });
    // Sixteen operations in flight, as sixteen Lambda instances (a connection each) would have:
    // with the default pool of 2, parallel callers mostly queue and hardly contend.
    process.env.MONGODB_MAX_POOL_SIZE = String(CONNECTIONS);
    resetConfig();
  });
  afterAll(closeMongo);

  it('starts each sequence at 1 and counts up', async () => {
    expect(await withMongo(() => nextId('test_id'))).toBe(1);
    expect(await withMongo(() => nextId('test_id'))).toBe(2);
    expect(await withMongo(() => nextId('question_id'))).toBe(1);
  });

  it('gives 200 parallel callers on 16 connections 200 distinct ids', async () => {
    const started = performance.now();
    const ids = await withMongo(() =>
      Promise.all(Array.from({ length: CALLERS }, () => nextId('user_id'))),
    );
    console.log(
      `${CALLERS} parallel ids on ${CONNECTIONS} connections in ${Math.round(performance.now() - started)} ms`,
    );
    expect(new Set(ids).size).toBe(CALLERS);
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
