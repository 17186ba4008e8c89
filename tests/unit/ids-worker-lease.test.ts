/** The parts of the worker lease that need no DynamoDB: identity, start slot, minting window. */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { isMainThread, threadId, Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_LEASE_MS,
  DEFAULT_SAFETY_MARGIN_MS,
  startSlotFor,
  WorkerLease,
} from '../../lib/ids/worker-lease';
import { projectRoot } from '../../scripts/stack/paths';

const LOG_STREAM = '2026/03/01/[$LATEST]0123456789abcdef0123456789abcdef';

/** A fresh copy of the module, so its memoised identity is computed again. */
async function freshWorkerLeaseModule() {
  vi.resetModules();
  return import('../../lib/ids/worker-lease');
}

describe('startSlotFor', () => {
  it('is a deterministic slot in 0..1023', () => {
    expect(startSlotFor(LOG_STREAM)).toBe(startSlotFor(LOG_STREAM));
    for (let i = 0; i < 1_000; i += 1) {
      const slot = startSlotFor(`instance-${i}`);
      expect(Number.isInteger(slot) && slot >= 0 && slot <= 1023).toBe(true);
    }
  });

  it('spreads identities over all slots (10,000 identities reach > 1,015 of 1,024)', () => {
    const reached = new Set(Array.from({ length: 10_000 }, (_, i) => startSlotFor(`env-${i}`)));
    expect(reached.size).toBeGreaterThan(1_015);
  });
});

describe('instanceIdentity', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('is the Lambda log stream name when there is one', async () => {
    vi.stubEnv('AWS_LAMBDA_LOG_STREAM_NAME', LOG_STREAM);
    const { instanceIdentity } = await freshWorkerLeaseModule();
    expect(instanceIdentity()).toBe(LOG_STREAM);
  });

  it('is local-<pid>-<random hex> off Lambda, the same for every call of the process', async () => {
    vi.stubEnv('AWS_LAMBDA_LOG_STREAM_NAME', '');
    const first = (await freshWorkerLeaseModule()).instanceIdentity;
    const identity = first();
    // The test itself runs on a main thread (forks pool) or a worker thread (threads pool).
    const thread = isMainThread ? '' : `#thread-${threadId}`;
    expect(identity).toMatch(new RegExp(`^local-${process.pid}-[0-9a-f]{12}${thread}$`));
    expect(first()).toBe(identity);
    // Another process (here: a fresh module) gets another random part.
    const second = (await freshWorkerLeaseModule()).instanceIdentity;
    expect(second()).not.toBe(identity);
  });

  it('appends the thread id in a worker thread', async () => {
    const tsx = createRequire(join(projectRoot, 'package.json')).resolve('tsx/cjs');
    const modulePath = join(projectRoot, 'lib', 'ids', 'worker-lease.ts');
    const code = `
      const { parentPort, threadId } = require('node:worker_threads');
      const { instanceIdentity } = require(${JSON.stringify(modulePath)});
      parentPort.postMessage({ identity: instanceIdentity(), threadId });
    `;
    const worker = new Worker(code, {
      eval: true,
      execArgv: ['--require', tsx],
      env: { ...process.env, AWS_LAMBDA_LOG_STREAM_NAME: LOG_STREAM },
    });
    const answer = await new Promise<{ identity: string; threadId: number }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(answer.threadId).toBeGreaterThan(0);
    expect(answer.identity).toBe(`${LOG_STREAM}#thread-${answer.threadId}`);
  }, 20_000);
});

describe('WorkerLease', () => {
  it('defaults to a 10 minute lease and a 30 s margin', () => {
    const lease = new WorkerLease({ identity: 'x' });
    expect([lease.leaseMs, lease.safetyMarginMs]).toEqual([600_000, 30_000]);
    expect([DEFAULT_LEASE_MS, DEFAULT_SAFETY_MARGIN_MS]).toEqual([600_000, 30_000]);
  });

  it('allows minting only before leaseUntil - margin', () => {
    const lease = new WorkerLease({ identity: 'x', leaseMs: 10_000, safetyMarginMs: 1_000 });
    const held = { slot: 3, owner: 'x', leaseUntil: 50_000 };
    expect(lease.canMint(held, 48_999)).toBe(true);
    expect(lease.canMint(held, 49_000)).toBe(false);
    expect(lease.canMint(held, 60_000)).toBe(false);
  });

  it('refuses a margin that is negative or not below half the lease', () => {
    expect(() => new WorkerLease({ identity: 'x', leaseMs: 1_000, safetyMarginMs: 500 })).toThrow(
      RangeError,
    );
    expect(() => new WorkerLease({ identity: 'x', leaseMs: 1_000, safetyMarginMs: -1 })).toThrow(
      RangeError,
    );
    expect(new WorkerLease({ identity: 'x', leaseMs: 1_000, safetyMarginMs: 499 }).leaseMs).toBe(
      1_000,
    );
  });

  it('holds no lease before acquiring one', () => {
    expect(new WorkerLease({ identity: 'x' }).current).toBeUndefined();
  });
});
