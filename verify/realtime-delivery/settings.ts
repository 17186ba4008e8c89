/** The live chat delivery item's settings and small helpers. */
import { join } from 'node:path';
import { percentile } from '../../harness/latency';
import { verifyDir } from '../report';

export const SUBSCRIBER_COUNTS = (process.env.BENCH_REALTIME_SUBSCRIBERS ?? '1,10,100,1000')
  .split(',')
  .map(Number);
if (SUBSCRIBER_COUNTS.some((n) => !Number.isSafeInteger(n) || n < 1)) {
  throw new Error('BENCH_REALTIME_SUBSCRIBERS must be positive integers, e.g. 1,10,100,1000');
}
export const STUDENTS = 50;
/** Measured messages per step (after one warm-up message); at the largest, pairs with "quiet". */
export const messagesAt = (subscribers: number) => (subscribers >= 100 ? 12 : 20);
/** Quiet after each fan-out before the next message. */
export const SPACING_MS = 200;
export const DELIVERY_TIMEOUT_MS = 30_000;
/** Connections opened (and subscribed) at once: each is two Lambda invocations. */
export const OPEN_CONCURRENCY = 10;
/** Longer than the run: no worker is ended (and cold-started again) mid-run. */
export const IDLE_WORKER_SECONDS = 1800;
export const SENDER_RATIO_GOAL = 1.2;
export const TEACHER_CODE = 'bench-realtime-teacher-code';
export const PASSWORD = 'bench realtime password';
export const offlineLog = join(verifyDir, 'realtime-offline.log');

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const ms = (value: number) =>
  Number.isFinite(value) ? value.toFixed(value < 10 ? 1 : 0) : '-';
/** The value at fraction `q` of `values` (any order); NaN when there are none. */
export const p = (values: number[], q: number) =>
  values.length
    ? percentile(
        [...values].sort((a, b) => a - b),
        q,
      )
    : Number.NaN;

/** Runs `work` over 0..count-1, at most `limit` at a time. */
export async function bounded(count: number, limit: number, work: (i: number) => Promise<void>) {
  let next = 0;
  const lane = async () => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, lane));
}
