/**
 * Many instances, one lease table, real clocks: no id is ever minted twice.
 *
 * 64 long-lived instances plus 6 short-lived ones run concurrently as worker threads, each with
 * its own identity and DynamoDB client: they race for their first lease, wait until all hold one,
 * then mint as fast as they can. Leases are short (1.5 s) so every instance renews during the run;
 * 24 of the long-lived and all short-lived instances get identities that start probing at the same
 * slot, so their claims collide. When a short-lived instance stops (without releasing, as a Lambda
 * that is no longer invoked), a replacement whose identity starts at the freed slot takes it over
 * once the lease has expired: ids of two instances on one worker id, which must not overlap in time.
 * 76 threads in all; the 40 long-lived ones without a crafted identity use the default identity.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { endianness, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDynamo } from '../../lib/db/dynamo';
import { SNOWFLAKE_EPOCH_MS, snowflakeTime, snowflakeWorker } from '../../lib/ids/snowflake';
import { projectRoot } from '../../scripts/stack/paths';
import type { MintingPlan, MintingReport } from '../helpers/id-minting-instance';
import { useIsolatedEnv } from '../helpers/isolated-env';
import { identityStartingAt } from '../helpers/lease-table';

const LONG_LIVED = 64;
/** Of the long-lived instances, this many start probing at CROWDED_SLOT. */
const CROWDED = 24;
const CROWDED_SLOT = 300;
const SHORT_LIVED = 6;
const SHORT_LIVED_SLOT = 700;
/** How long long-lived instances mint once all hold a lease; short-lived ones and replacements. */
const RUN_MS = 3_000;
const SHORT_RUN_MS = 800;
const LEASE_MS = 1_500;
const MARGIN_MS = 300;

const INSTANCE_SOURCE = join(projectRoot, 'tests', 'helpers', 'id-minting-instance.ts');

/**
 * Worker threads do not inherit vitest's TypeScript loader, so the instance script is bundled once
 * with esbuild into one CommonJS file, as serverless-esbuild bundles each Lambda. A thread then
 * boots in ~0.1 s of CPU instead of ~0.3 s under tsx (`--require tsx/cjs`), which matters with 76
 * threads on two cores. (`--import tsx` in a thread's execArgv does not load a .ts entry on Node 20.)
 */
async function bundleInstanceScript(dir: string): Promise<string> {
  const outfile = join(dir, 'id-minting-instance.cjs');
  await build({
    entryPoints: [INSTANCE_SOURCE],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
  });
  return outfile;
}

type Role = 'long' | 'short' | 'replacement';

interface Instance {
  role: Role;
  worker: Worker;
  ready: Promise<void>;
  report: Promise<MintingReport>;
}

function spawn(script: string, role: Role): Instance {
  const worker = new Worker(script, {
    env: {
      ...process.env,
      // 70 busy threads share a small machine with dynalite: a starved lease call may be slow.
      DYNAMODB_TIMEOUT_MS: '10000',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  });
  const ready = new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  // Never rejects: a crash becomes a 'failed' report, so every instance is accounted for.
  const report = new Promise<MintingReport>((resolve) => {
    const failed = (error: string) => resolve({ type: 'failed', identity: undefined, error });
    ready.then(
      () => worker.once('message', resolve),
      (error: unknown) => failed(`boot: ${String(error)}`),
    );
    worker.once('error', (error) => failed(String(error)));
    worker.once('exit', (code) => failed(`exited (${code}) before reporting`));
  });
  return { role, worker, ready, report };
}

function start(instance: Instance, plan: Omit<MintingPlan, 'type' | 'leaseMs' | 'safetyMarginMs'>) {
  const message: MintingPlan = {
    type: 'start',
    leaseMs: LEASE_MS,
    safetyMarginMs: MARGIN_MS,
    ...plan,
  };
  instance.worker.postMessage(message);
}

/** The ids of a report, in minting order. */
function idsOf(report: Extract<MintingReport, { type: 'done' }>): BigUint64Array {
  const ids = new BigUint64Array(report.count);
  let offset = 0;
  for (const chunk of report.chunks) {
    const take = Math.min(chunk.length, report.count - offset);
    ids.set(chunk.subarray(0, take), offset);
    offset += take;
  }
  return ids;
}

/**
 * Tens of millions of ids are audited, and reading a BigUint64Array element allocates a BigInt:
 * the audit reads each id as two 32-bit halves instead (little-endian: low word first). Time is
 * bits 22..62 = high word * 2^10 + low word >>> 22; the worker id is bits 12..21 of the low word.
 * A sample is cross-checked against snowflakeTime / snowflakeWorker.
 */
class IdHalves {
  readonly words: Uint32Array;
  readonly length: number;
  constructor(readonly ids: BigUint64Array) {
    if (endianness() !== 'LE') throw new Error('IdHalves reads little-endian words');
    this.words = new Uint32Array(ids.buffer, ids.byteOffset, ids.length * 2);
    this.length = ids.length;
  }
  low(k: number): number {
    return this.words[2 * k] as number;
  }
  high(k: number): number {
    return this.words[2 * k + 1] as number;
  }
  time(k: number): number {
    return this.high(k) * 1024 + (this.low(k) >>> 22) + SNOWFLAKE_EPOCH_MS;
  }
  worker(k: number): number {
    return (this.low(k) >>> 12) & 1023;
  }
  /** True when id k is strictly greater than id k - 1. */
  increasesAt(k: number): boolean {
    const high = this.high(k);
    const before = this.high(k - 1);
    return high > before || (high === before && this.low(k) > this.low(k - 1));
  }
  /** True when id k equals id k - 1. */
  repeatsAt(k: number): boolean {
    return this.high(k) === this.high(k - 1) && this.low(k) === this.low(k - 1);
  }
}

/** A run of consecutive ids one instance minted on one worker id, by time. */
interface Segment {
  instance: number;
  worker: number;
  first: number;
  last: number;
}

/** Checks that the instance's ids strictly increase; returns its runs per worker id. */
function auditInstance(instance: number, ids: BigUint64Array): Segment[] {
  const halves = new IdHalves(ids);
  for (let k = 0; k < halves.length; k += 997) {
    const id = ids[k] as bigint;
    expect([halves.time(k), halves.worker(k)]).toEqual([snowflakeTime(id), snowflakeWorker(id)]);
  }
  const segments: Segment[] = [];
  let current: Segment | undefined;
  for (let k = 0; k < halves.length; k += 1) {
    if (k > 0 && !halves.increasesAt(k)) {
      expect.fail(`instance ${instance}: id #${k} ${ids[k]} is not above ${ids[k - 1]}`);
    }
    const worker = halves.worker(k);
    const time = halves.time(k);
    // A pause longer than the margin starts a new run: an instance starved past its lease loses
    // the slot and may win the same slot back once the next owner's lease has ended, so its ids on
    // one worker id can be two runs with the other owner's between them. Each run is still
    // checked against every other instance's runs below, so no overlap can hide in a pause.
    if (current?.worker === worker && time - current.last <= MARGIN_MS) current.last = time;
    else {
      current = { instance, worker, first: time, last: time };
      segments.push(current);
    }
  }
  return segments;
}

/** How many ids appear more than once across all instances (sorted, then neighbours compared). */
function countDuplicates(idsPerInstance: BigUint64Array[]): number {
  const all = new BigUint64Array(idsPerInstance.reduce((sum, ids) => sum + ids.length, 0));
  let offset = 0;
  for (const ids of idsPerInstance) {
    all.set(ids, offset);
    offset += ids.length;
  }
  all.sort();
  const halves = new IdHalves(all);
  let duplicates = 0;
  for (let k = 1; k < halves.length; k += 1) if (halves.repeatsAt(k)) duplicates += 1;
  return duplicates;
}

describe('Snowflake uniqueness across concurrent instances (worker threads, dynalite)', () => {
  const instances: Instance[] = [];
  const bundleDir = mkdtempSync(join(tmpdir(), 'plp-ids-'));
  let script = '';

  beforeAll(async () => {
    await useIsolatedEnv('worker-lease-uniqueness', { cassandra: false });
    script = await bundleInstanceScript(bundleDir);
  });
  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.worker.terminate()));
    closeDynamo();
    rmSync(bundleDir, { recursive: true, force: true });
  });

  it('mints no duplicate id; each instance increases; no worker id is shared in time', async () => {
    for (let i = 0; i < LONG_LIVED; i += 1) instances.push(spawn(script, 'long'));
    for (let i = 0; i < SHORT_LIVED; i += 1) instances.push(spawn(script, 'short'));
    for (let i = 0; i < SHORT_LIVED; i += 1) instances.push(spawn(script, 'replacement'));
    const spawnedAt = Date.now();
    await Promise.all(instances.map((instance) => instance.ready));
    const bootMs = Date.now() - spawnedAt;

    const go = Date.now() + 200;
    // Long- and short-lived instances race for their first lease, then mint together.
    const barrier = {
      counter: new Int32Array(new SharedArrayBuffer(4)),
      parties: LONG_LIVED + SHORT_LIVED,
    };
    instances.forEach((instance, i) => {
      if (instance.role === 'long') {
        start(instance, {
          ...(i < CROWDED ? { identity: identityStartingAt(CROWDED_SLOT, `crowd${i}`) } : {}),
          startAt: go,
          mintMs: RUN_MS,
          barrier,
        });
      } else if (instance.role === 'short') {
        start(instance, {
          identity: identityStartingAt(SHORT_LIVED_SLOT, `short${i}`),
          startAt: go,
          mintMs: SHORT_RUN_MS,
          barrier,
        });
      }
    });

    // Each replacement starts after its predecessor's lease has surely expired, from its slot.
    const shorts = instances.filter((instance) => instance.role === 'short');
    const replacements = instances.filter((instance) => instance.role === 'replacement');
    const freedSlots = await Promise.all(
      shorts.map(async (short, k) => {
        const report = await short.report;
        if (report.type !== 'done') throw new Error(`short-lived instance failed: ${report.error}`);
        const ids = idsOf(report);
        const last = ids[ids.length - 1] as bigint;
        const slot = snowflakeWorker(last);
        // Its last renewal came before its last mint, so its lease ends by then + LEASE_MS.
        start(replacements[k] as Instance, {
          identity: identityStartingAt(slot, `replacement${k}`),
          startAt: snowflakeTime(last) + LEASE_MS + 100,
          mintMs: SHORT_RUN_MS,
        });
        return slot;
      }),
    );

    const reports = await Promise.all(instances.map((instance) => instance.report));
    const failures = reports.filter((report) => report.type === 'failed');
    expect(failures).toEqual([]);
    const done = reports as Array<Extract<MintingReport, { type: 'done' }>>;
    const idsPerInstance = done.map(idsOf);
    for (const report of done) report.chunks.length = 0; // the copies above are all we keep
    const auditStartedAt = Date.now();

    idsPerInstance.forEach((ids, i) => {
      expect(ids.length, `instance ${i} minted nothing`).toBeGreaterThan(0);
    });
    // Per instance: strictly increasing (asserted inside), cut into runs per worker id and pause.
    const segments = idsPerInstance.flatMap((ids, i) => auditInstance(i, ids));
    const total = idsPerInstance.reduce((sum, ids) => sum + ids.length, 0);
    const duplicates = countDuplicates(idsPerInstance);

    // One worker id, one instance at a time: on each worker id, the runs of different instances
    // are disjoint, and separated by more than the safety margin (the old owner stops at
    // leaseUntil - margin; the new one can only claim after leaseUntil).
    const byWorker = new Map<number, Segment[]>();
    for (const segment of segments) {
      byWorker.set(segment.worker, [...(byWorker.get(segment.worker) ?? []), segment]);
    }
    const overlaps: string[] = [];
    let handovers = 0;
    for (const [worker, runs] of byWorker) {
      runs.sort((a, b) => a.first - b.first);
      for (let k = 1; k < runs.length; k += 1) {
        const before = runs[k - 1] as Segment;
        const after = runs[k] as Segment;
        if (before.instance !== after.instance) handovers += 1;
        const gap = after.first - before.last;
        if (gap <= (before.instance === after.instance ? 0 : MARGIN_MS)) {
          overlaps.push(
            `worker ${worker}: ${JSON.stringify(before)} then ${JSON.stringify(after)}`,
          );
        }
      }
    }

    // The long-lived instances were all minting at one common moment: truly concurrent.
    const longLived = idsPerInstance.filter((_, i) => instances[i]?.role === 'long');
    const latestFirst = Math.max(...longLived.map((ids) => snowflakeTime(ids[0] as bigint)));
    const earliestLast = Math.min(
      ...longLived.map((ids) => snowflakeTime(ids[ids.length - 1] as bigint)),
    );
    const firstId = Math.min(...idsPerInstance.map((ids) => snowflakeTime(ids[0] as bigint)));
    const lastId = Math.max(
      ...idsPerInstance.map((ids) => snowflakeTime(ids[ids.length - 1] as bigint)),
    );
    const seconds = (lastId - firstId) / 1000;
    const slowestLease = Math.max(...done.map((report) => report.firstIdAt)) - go;
    console.log(
      `[ids] uniqueness: ${instances.length} instances, ${total} ids in ${seconds.toFixed(1)} s ` +
        `(${Math.round(total / seconds)} ids/s), ${duplicates} duplicates, ` +
        `${longLived.length} minting together for ${earliestLast - latestFirst} ms, ` +
        `${byWorker.size} worker ids, ${handovers} handovers; boot ${bootMs} ms, ` +
        `slowest first lease ${slowestLease} ms, audit ${Date.now() - auditStartedAt} ms`,
    );

    expect(duplicates).toBe(0);
    expect(overlaps).toEqual([]);
    expect(earliestLast - latestFirst).toBeGreaterThan(0);
    // Every instance had its own identity; the default ones carry their thread id.
    expect(new Set(done.map((report) => report.identity)).size).toBe(instances.length);
    const defaults = done.filter((_, i) => instances[i]?.role === 'long' && i >= CROWDED);
    expect(
      defaults.every((report) => /^local-\d+-[0-9a-f]{12}#thread-\d+$/.test(report.identity)),
    ).toBe(true);
    // The replacements really did take over the freed slots (the case this test exists for).
    const replacementWorkers = idsPerInstance
      .filter((_, i) => instances[i]?.role === 'replacement')
      .map((ids) => snowflakeWorker(ids[0] as bigint));
    expect(replacementWorkers).toEqual(freedSlots);
    expect(handovers).toBeGreaterThanOrEqual(SHORT_LIVED);
  }, 90_000);
});
