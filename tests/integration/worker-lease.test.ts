/**
 * The worker-id lease and MessageIdSource against the real engine (dynalite locally), with fake
 * clocks standing in for instances whose clocks move, freeze (a frozen Lambda) or disagree.
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { config, resetConfig } from '../../lib/config';
import { closeDynamo, withDynamo } from '../../lib/db/dynamo';
import { DatabaseUnavailableError } from '../../lib/db/errors';
import { NoWorkerSlotError, WorkerLeaseUnusableError } from '../../lib/ids/errors';
import { nextMessageId } from '../../lib/ids/index';
import { MessageIdSource } from '../../lib/ids/message-id-source';
import { snowflakeTime, snowflakeWorker } from '../../lib/ids/snowflake';
import {
  instanceIdentity,
  type Lease,
  startSlotFor,
  WorkerLease,
} from '../../lib/ids/worker-lease';
import { createLogger } from '../../lib/logger';
import { ensureTables, serverlessTables } from '../../scripts/stack/tables';
import { fakeClock } from '../helpers/fake-clock';
import { useIsolatedEnv } from '../helpers/isolated-env';
import { countDynamoCommands, identityStartingAt, readLeaseItem } from '../helpers/lease-table';

const LEASE_MS = 10 * 60_000;
const MARGIN_MS = 30_000;
/** What the lease logged, as parsed JSON lines (the steal test expects a warning). */
const logged: Array<Record<string, unknown>> = [];
const testLogger = createLogger('warn', {}, (line) => logged.push(JSON.parse(line)));

/**
 * Slots for test `n`, 100 apart and at least 50 away from where this process's own identity
 * (used by nextMessageId) starts probing, so no test ever finds another's lease in its way.
 */
function slotsOfTest(n: number): number {
  return (startSlotFor(instanceIdentity()) + 50 + 100 * n) % 1024;
}

function total(counts: Map<string, number>): number {
  return [...counts.values()].reduce((sum, n) => sum + n, 0);
}

/** A lease table of its own, for tests that need every slot to themselves. */
async function freshLeaseTable(label: string): Promise<string> {
  const { DYNAMODB_ENDPOINT } = process.env;
  if (!DYNAMODB_ENDPOINT) throw new Error('the integration harness sets DYNAMODB_ENDPOINT');
  const tables = await ensureTables(
    DYNAMODB_ENDPOINT,
    serverlessTables(),
    `t_${label}_${Date.now().toString(36)}-`,
  );
  return tables.WORKER_LEASES_TABLE as string;
}

function source(identity: string, now: () => number, tableName?: string): MessageIdSource {
  return new MessageIdSource({
    identity,
    now,
    ...(tableName ? { tableName } : {}),
    leaseMs: LEASE_MS,
    safetyMarginMs: MARGIN_MS,
    logger: testLogger,
  });
}

describe('worker-id lease (dynalite)', () => {
  beforeAll(async () => {
    await useIsolatedEnv('worker-lease', { cassandra: false });
  });
  afterAll(closeDynamo);

  it('gives two identities that hash to the same start slot different slots', async () => {
    const start = slotsOfTest(0);
    const t0 = Date.now();
    const a = identityStartingAt(start, 'a');
    const b = identityStartingAt(start, 'b');
    const leaseA = await new WorkerLease({ identity: a, now: () => t0 }).acquire();
    const leaseB = await new WorkerLease({ identity: b, now: () => t0 }).acquire();
    expect(leaseA).toEqual({ slot: start, owner: a, leaseUntil: t0 + LEASE_MS });
    expect(leaseB).toEqual({ slot: (start + 1) % 1024, owner: b, leaseUntil: t0 + LEASE_MS });
    expect(await readLeaseItem(start)).toEqual({
      slot: start,
      owner: a,
      leaseUntil: t0 + LEASE_MS,
      ttl: Math.ceil((t0 + LEASE_MS) / 1000),
    });
    expect((await readLeaseItem(leaseB.slot))?.owner).toBe(b);
  });

  it('lets the same identity re-acquire its own live slot', async () => {
    const start = slotsOfTest(1);
    const identity = identityStartingAt(start, 'same');
    const clock = fakeClock(Date.now());
    const first = await new WorkerLease({ identity, now: clock.now }).acquire();
    clock.advance(60_000);
    // A new WorkerLease (as after a module reload) with the same identity, lease still live.
    const again = await new WorkerLease({ identity, now: clock.now }).acquire();
    expect(again.slot).toBe(first.slot);
    expect(again.leaseUntil).toBe(first.leaseUntil + 60_000);
    expect((await readLeaseItem(start))?.leaseUntil).toBe(again.leaseUntil);
  });

  it('does not touch DynamoDB while more than half the lease remains, renews after', async () => {
    const start = slotsOfTest(2);
    const clock = fakeClock(Date.now());
    const lease = new WorkerLease({ identity: identityStartingAt(start, 'renew'), now: clock.now });
    const first = await lease.ensure();
    expect(first.slot).toBe(start);

    clock.advance(LEASE_MS / 2 - 1);
    const sent = await countDynamoCommands();
    try {
      expect(await lease.ensure()).toBe(first);
      expect(total(sent.counts)).toBe(0);
      clock.advance(1);
      const renewed = await lease.ensure();
      expect([...sent.counts]).toEqual([['PutItemCommand', 1]]);
      expect(renewed).toEqual({ ...first, leaseUntil: clock.now() + LEASE_MS });
      expect(lease.current).toEqual(renewed);
    } finally {
      sent.stop();
    }
    expect((await readLeaseItem(start))?.leaseUntil).toBe(clock.now() + LEASE_MS);
  });

  it('lets identity B take the slot of identity A once A has expired, not before', async () => {
    const start = slotsOfTest(3);
    const t0 = Date.now();
    const a = identityStartingAt(start, 'old');
    await new WorkerLease({ identity: a, now: () => t0 }).acquire();

    const early = identityStartingAt(start, 'early');
    const beforeExpiry = await new WorkerLease({
      identity: early,
      now: () => t0 + LEASE_MS - 1,
    }).acquire();
    expect(beforeExpiry.slot).toBe((start + 1) % 1024);

    const late = identityStartingAt(start, 'late');
    const afterExpiry = await new WorkerLease({
      identity: late,
      now: () => t0 + LEASE_MS + 1,
    }).acquire();
    expect(afterExpiry.slot).toBe(start);
    expect((await readLeaseItem(start))?.owner).toBe(late);
  });

  it('steal: A frozen past expiry, B takes its slot; A moves to another slot before minting', async () => {
    const start = slotsOfTest(4);
    const t0 = Date.now();
    const clockA = fakeClock(t0);
    const a = source(identityStartingAt(start, 'frozen'), clockA.now);
    const before: bigint[] = [];
    for (let i = 0; i < 5; i += 1) {
      before.push(await a.next());
      clockA.advance(1);
    }
    expect(before.map(snowflakeWorker)).toEqual([start, start, start, start, start]);

    // A is frozen; when it thaws its clock reads well past its lease. Meanwhile B claims the slot.
    clockA.set(t0 + LEASE_MS + 5_000);
    const clockB = fakeClock(t0 + LEASE_MS + 1_000);
    const b = source(identityStartingAt(start, 'thief'), clockB.now);
    const fromB = await b.next();
    expect(snowflakeWorker(fromB)).toBe(start);

    const fromA = await a.next();
    expect(logged).toContainEqual(
      expect.objectContaining({ level: 'warn', slot: start, leaseUntil: t0 + LEASE_MS }),
    );
    expect(snowflakeWorker(fromA)).not.toBe(start);
    expect(snowflakeWorker(fromA)).toBe(a.workerId);
    expect(before.every((id) => id < fromA)).toBe(true);
    expect(fromA).not.toBe(fromB);
    expect((await readLeaseItem(start))?.owner).toBe(b.lease.identity);
    expect((await readLeaseItem(snowflakeWorker(fromA)))?.owner).toBe(a.lease.identity);
    // B keeps minting on the slot it took, unaffected.
    clockB.advance(1);
    expect(snowflakeWorker(await b.next())).toBe(start);
  });

  it('keeps its slot after a freeze when nobody took it (fenced renewal succeeds)', async () => {
    const start = slotsOfTest(5);
    const clock = fakeClock(Date.now());
    const a = source(identityStartingAt(start, 'sleeper'), clock.now);
    const first = await a.next();
    clock.advance(3 * LEASE_MS);
    const second = await a.next();
    expect(snowflakeWorker(second)).toBe(start);
    expect(second > first).toBe(true);
    expect((await readLeaseItem(start))?.leaseUntil).toBe(clock.now() + LEASE_MS);
  });

  it('renews before minting inside the safety margin, even though the lease has not ended', async () => {
    const start = slotsOfTest(6);
    const clock = fakeClock(Date.now());
    const a = source(identityStartingAt(start, 'margin'), clock.now);
    await a.next();
    const leaseUntil = a.lease.current?.leaseUntil as number;
    clock.set(leaseUntil - MARGIN_MS); // first ms on which minting on this lease is forbidden
    const id = await a.next();
    expect(snowflakeTime(id)).toBe(leaseUntil - MARGIN_MS);
    expect(a.lease.current?.leaseUntil).toBe(leaseUntil - MARGIN_MS + LEASE_MS);
    expect((await readLeaseItem(start))?.leaseUntil).toBe(leaseUntil - MARGIN_MS + LEASE_MS);
  });

  it('never mints on a lease that is inside its safety margin when the check runs', async () => {
    const start = slotsOfTest(9);
    const clock = fakeClock(Date.now());
    const a = source(identityStartingAt(start, 'guard'), clock.now);
    const first = await a.next();
    const lease = a.lease.current;
    if (!lease) throw new Error('a lease after minting');
    // Simulates a lease check that resolved just before the clock jumped (no renewal happened):
    // the synchronous check right before the mint must still refuse the slot.
    a.lease.ensure = () => Promise.resolve(lease);
    clock.set(lease.leaseUntil - MARGIN_MS);
    await expect(a.next()).rejects.toBeInstanceOf(WorkerLeaseUnusableError);
    clock.set(lease.leaseUntil - MARGIN_MS - 1);
    const id = await a.next();
    expect(id > first).toBe(true);
    expect(snowflakeTime(id)).toBe(lease.leaseUntil - MARGIN_MS - 1);
  });

  it('moving to a lower slot within the same millisecond still mints a greater id', async () => {
    const tableName = await freshLeaseTable('wrap');
    const t0 = Date.now();
    // A's clock stands still at t0, except that it ticks once it has been read `tickAfter` times
    // more: only the generator's wait for the next millisecond polls that often.
    let reads = 0;
    let tickAt = Number.POSITIVE_INFINITY;
    const nowA = () => (++reads >= tickAt ? t0 + 1 : t0);
    const a = source(identityStartingAt(1023, 'wrap'), nowA, tableName);
    const before = await a.next();
    expect(snowflakeWorker(before)).toBe(1023);

    // B, whose clock runs a lease ahead, finds A's lease expired and takes slot 1023.
    const b = source(identityStartingAt(1023, 'ahead'), () => t0 + LEASE_MS + 1, tableName);
    expect(snowflakeWorker(await b.next())).toBe(1023);
    // A learns it (fenced renewal fails) and, in the same millisecond, moves on: 1023 wraps to 0.
    expect(await a.lease.renew(a.lease.current as Lease)).toBeUndefined();
    tickAt = reads + 200;
    const after = await a.next();
    expect(snowflakeWorker(after)).toBe(0);
    expect(snowflakeTime(after)).toBe(t0 + 1);
    expect(after > before).toBe(true);
  });

  it('shares one lease between concurrent first calls and mints distinct ids', async () => {
    const start = slotsOfTest(7);
    const a = source(identityStartingAt(start, 'burst'), () => Date.now());
    const sent = await countDynamoCommands();
    const ids = await Promise.all(Array.from({ length: 200 }, () => a.next())).finally(sent.stop);
    expect([...sent.counts]).toEqual([['PutItemCommand', 1]]);
    expect(new Set(ids).size).toBe(200);
    expect(new Set(ids.map(snowflakeWorker))).toEqual(new Set([start]));
    expect((await readLeaseItem((start + 1) % 1024))?.owner).toBeUndefined();
  });

  it('nextMessageId() leases a slot for this process and mints increasing ids', async () => {
    const first = await nextMessageId();
    const second = await nextMessageId();
    const third = await nextMessageId();
    expect(first < second && second < third).toBe(true);
    const worker = snowflakeWorker(first);
    expect(worker).toBe(startSlotFor(instanceIdentity()));
    expect((await readLeaseItem(worker))?.owner).toBe(instanceIdentity());
  });

  it('throws NoWorkerSlotError when all 1,024 slots are live, and takes the one that expires', async () => {
    const tableName = await freshLeaseTable('full');
    const t0 = Date.now();
    const items = Array.from({ length: 1024 }, (_, slot) => {
      const leaseUntil = slot === 777 ? t0 + 1_000 : t0 + LEASE_MS;
      return { slot, owner: `other-${slot}`, leaseUntil, ttl: Math.ceil(leaseUntil / 1000) };
    });
    await withDynamo(async (dynamo) => {
      for (let i = 0; i < items.length; i += 25) {
        const batch = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
        const { UnprocessedItems } = await dynamo.send(
          new BatchWriteCommand({ RequestItems: { [tableName]: batch } }),
        );
        expect(Object.keys(UnprocessedItems ?? {})).toHaveLength(0);
      }
    });
    const full = new WorkerLease({ identity: 'latecomer', now: () => t0 + 500, tableName });
    await expect(full.acquire()).rejects.toBeInstanceOf(NoWorkerSlotError);
    expect(full.current).toBeUndefined();

    const later = new WorkerLease({ identity: 'latecomer', now: () => t0 + 1_001, tableName });
    expect((await later.acquire()).slot).toBe(777);
    expect((await readLeaseItem(777, tableName))?.owner).toBe('latecomer');
  });

  it('rejects with DatabaseUnavailableError when DynamoDB is unreachable, and recovers', async () => {
    const start = slotsOfTest(8);
    const a = source(identityStartingAt(start, 'outage'), () => Date.now());
    const endpoint = process.env.DYNAMODB_ENDPOINT;
    try {
      // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
      process.env.DYNAMODB_ENDPOINT = 'http://127.0.0.1:9';
      resetConfig();
      closeDynamo();
      await expect(a.next()).rejects.toBeInstanceOf(DatabaseUnavailableError);
      expect(a.lease.current).toBeUndefined();
    } finally {
      process.env.DYNAMODB_ENDPOINT = endpoint;
      resetConfig();
      closeDynamo();
    }
    // The failed acquire was not memoised: the same instance leases and mints once DynamoDB is back.
    expect(config().dynamo.endpoint).toBe(endpoint);
    expect(snowflakeWorker(await a.next())).toBe(start);
  });
});
