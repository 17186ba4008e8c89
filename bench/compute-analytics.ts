/**
 * npm run bench:analytics: one complete compute-analytics run over 10^3, 10^4 and 10^5 finished
 * attempts (bench/analytics-data.ts): duration, peak memory, and the ratio 10^5 / 10^4 (10x the
 * attempts; linear is 10x). Results are recorded in bench/RESULTS.md. Two settings:
 *
 * - **mongo**: the real store against the local stack's MongoDB engine (FerretDB) or MONGODB_URL,
 *   seeded first; the time spent in each store call is reported, so the engine's share is visible.
 *   Sizes: BENCH_MONGO_SIZES (default 1000,10000; FerretDB scans make 10^5 take hours, see
 *   RESULTS.md).
 * - **memory**: the same job over bench/in-memory-analytics-store.ts, which answers each call as an
 *   index would: the job's own cost. Sizes: BENCH_MEMORY_SIZES (default 1000,10000,100000).
 *
 * Each run happens in a fresh child process (this file with --job), so its memory is the job's;
 * for mongo a child that only connects gives the baseline RSS, for memory the heap after building
 * the data (and a GC) is the baseline. BENCH_PAGE_SIZE / BENCH_TESTS_PER_PASS change the job's
 * page size and tests per pass (its defaults otherwise).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import mongoose from 'mongoose';
import {
  computeAnalytics,
  DEFAULT_PAGE_SIZE,
  DEFAULT_TESTS_PER_PASS,
} from '../lib/analytics/compute-job';
import { resetConfig } from '../lib/config';
import { closeMongo, withMongo } from '../lib/db/mongo';
import { analyticsJobStore } from '../lib/storage';
import type { AnalyticsJobStore } from '../lib/storage/analytics-job-store';
import { syncIndexesAt } from '../lib/storage/mongo/indexes';
import { startStack } from '../scripts/stack';
import { withDatabase } from '../scripts/stack/mongo-url';
import { answerDocs, attemptDocs, questionDocs, testCount, testDocs } from './analytics-data';
import { InMemoryAnalyticsStore } from './in-memory-analytics-store';

const sizes = (name: string, fallback: string) =>
  (process.env[name] ?? fallback).split(',').filter(Boolean).map(Number);
const MONGO_SIZES = sizes('BENCH_MONGO_SIZES', '1000,10000');
const MEMORY_SIZES = sizes('BENCH_MEMORY_SIZES', '1000,10000,100000');
const PAGE_SIZE = Number(process.env.BENCH_PAGE_SIZE ?? DEFAULT_PAGE_SIZE);
const TESTS_PER_PASS = Number(process.env.BENCH_TESTS_PER_PASS ?? DEFAULT_TESTS_PER_PASS);
const SEED_BATCH = 5_000;
const MB = 1024 * 1024;

type Mode = 'mongo' | 'memory' | 'baseline';

interface JobFigures {
  summary: { processed: number; written: number; tests: number; durationMs: number } | null;
  msByStoreCall: Record<string, number>;
  maxRssMb: number;
  /** Peak heap during the run minus the heap before it (after GC). */
  heapGrowthMb: number;
}

/**
 * The store with the time spent in each of its methods added up (for async iterables, the time
 * waiting for each next page), so the figures show where a run's time goes.
 */
function timedStore(store: AnalyticsJobStore, totals: Record<string, number>): AnalyticsJobStore {
  const add = (name: string, since: number) => {
    totals[name] = (totals[name] ?? 0) + performance.now() - since;
  };
  const timed: Record<string, unknown> = {};
  const methods = Object.getOwnPropertyNames(Object.getPrototypeOf(store)).concat(
    Object.keys(store),
  );
  for (const name of methods) {
    const method = (store as unknown as Record<string, unknown>)[name];
    if (name === 'constructor' || typeof method !== 'function') continue;
    timed[name] = (...args: unknown[]) => {
      const started = performance.now();
      const result = method.apply(store, args);
      if (result && typeof result === 'object' && Symbol.asyncIterator in result) {
        const inner = (result as AsyncIterable<unknown>)[Symbol.asyncIterator]();
        return (async function* () {
          for (;;) {
            const waited = performance.now();
            const next = await inner.next();
            add(name, waited);
            if (next.done) return;
            yield next.value;
          }
        })();
      }
      return Promise.resolve(result).finally(() => add(name, started));
    };
  }
  return timed as unknown as AnalyticsJobStore;
}

/** The job's own process: one complete run; prints its figures as one JSON line. */
async function job(mode: Mode, size: number): Promise<void> {
  const store: AnalyticsJobStore =
    mode === 'memory' ? new InMemoryAnalyticsStore(size) : analyticsJobStore;
  if (mode !== 'memory') await withMongo(async () => undefined); // connecting is baseline
  (globalThis as { gc?: () => void }).gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  let heapPeak = heapBefore;
  const sampler = setInterval(() => {
    heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
  }, 10);
  const totals: Record<string, number> = {};
  const summary =
    mode === 'baseline'
      ? null
      : await computeAnalytics({
          store: timedStore(store, totals),
          settleMs: 0,
          pageSize: PAGE_SIZE,
          testsPerPass: TESTS_PER_PASS,
        });
  clearInterval(sampler);
  heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
  if (mode !== 'memory') await closeMongo();
  const figures: JobFigures = {
    summary,
    msByStoreCall: Object.fromEntries(Object.entries(totals).map(([k, v]) => [k, Math.round(v)])),
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    heapGrowthMb: (heapPeak - heapBefore) / MB,
  };
  console.log(JSON.stringify(figures));
}

function child(mode: Mode, size: number, env: NodeJS.ProcessEnv): JobFigures {
  const out = execFileSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--job', mode, String(size)],
    { env, encoding: 'utf8', maxBuffer: 16 * MB },
  );
  return JSON.parse(out.trim().split('\n').at(-1) as string) as JobFigures;
}

async function seedMongo(attempts: number): Promise<void> {
  await withMongo(async (db) => {
    const c = (name: string) => db.connection.collection(name);
    await c('tests').insertMany(testDocs(attempts));
    await c('questions').insertMany(questionDocs(attempts));
    for (let from = 0; from < attempts; from += SEED_BATCH) {
      const count = Math.min(SEED_BATCH, attempts - from);
      await c('testattempts').insertMany(attemptDocs(from, count));
      await c('answers').insertMany(answerDocs(from, count));
    }
  });
}

interface Measured {
  size: number;
  run: JobFigures;
  summary: NonNullable<JobFigures['summary']>;
  /** Duration minus the time waiting on the store. */
  ownMs: number;
  extra: string;
  /** RSS of a process that only connected (mongo). */
  baselineRssMb?: number;
}

function measured(size: number, run: JobFigures, extra: string, baselineRssMb?: number): Measured {
  const summary = run.summary as NonNullable<JobFigures['summary']>;
  if (summary.processed !== size || summary.written !== size || summary.tests !== testCount(size)) {
    throw new Error(
      `expected ${size} attempts and ${testCount(size)} tests: ${JSON.stringify(summary)}`,
    );
  }
  const storeMs = Object.values(run.msByStoreCall).reduce((a, b) => a + b, 0);
  return {
    size,
    run,
    summary,
    ownMs: summary.durationMs - storeMs,
    extra,
    ...(baselineRssMb === undefined ? {} : { baselineRssMb }),
  };
}

function printTable(title: string, rows: Measured[], memoryColumn: (m: Measured) => string) {
  console.log(`\n${title}`);
  console.log(
    '| attempts | tests | job duration | of which not in store calls | attempts/s | memory | notes |',
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const m of rows) {
    console.log(
      `| ${m.size.toLocaleString('en')} | ${m.summary.tests.toLocaleString('en')} | ${(m.summary.durationMs / 1000).toFixed(2)} s | ${(m.ownMs / 1000).toFixed(2)} s | ${Math.round((m.size / m.summary.durationMs) * 1000).toLocaleString('en')} | ${memoryColumn(m)} | ${m.extra} |`,
    );
  }
  const byTen = rows.find((m) => m.size === 10_000);
  const byHundred = rows.find((m) => m.size === 100_000);
  if (byTen && byHundred) {
    console.log(
      `ratio 10^5 / 10^4: duration ${(byHundred.summary.durationMs / byTen.summary.durationMs).toFixed(2)}x, memory ${(byHundred.run.heapGrowthMb / byTen.run.heapGrowthMb).toFixed(2)}x (linear: 10x)`,
    );
  }
  for (const m of rows)
    console.log(`- ${m.size}: ms per store call ${JSON.stringify(m.run.msByStoreCall)}`);
}

async function main(): Promise<void> {
  console.log(
    `page size ${PAGE_SIZE}, tests per pass ${TESTS_PER_PASS}; classes of 50, 5 questions per test`,
  );
  const memory: Measured[] = [];
  for (const size of MEMORY_SIZES) {
    const run = child('memory', size, process.env);
    memory.push(measured(size, run, ''));
    console.log(`memory ${size}: ${JSON.stringify(run)}`);
  }
  if (memory.length > 0) {
    printTable(
      'the job over the in-memory store (its own cost; the heap includes the rows the store keeps, ~1 KB each):',
      memory,
      (m) => `peak heap +${m.run.heapGrowthMb.toFixed(1)} MB`,
    );
  }

  if (MONGO_SIZES.length === 0) return;
  const stackEnv = await startStack({ only: ['mongo'] });
  const baseUrl = process.env.MONGODB_URL ?? (stackEnv.MONGODB_URL as string);
  const mongo: Measured[] = [];
  for (const size of MONGO_SIZES) {
    const env = {
      ...process.env,
      ...stackEnv,
      MONGODB_URL: withDatabase(baseUrl, `bench_analytics_${size}_${Date.now()}`),
      SESSIONS_TABLE: 'bench-sessions',
      WORKER_LEASES_TABLE: 'bench-leases',
      IDEMPOTENCY_TABLE: 'bench-idempotency',
      CONNECTIONS_TABLE: 'plp-connections',
      CHANNEL_SUBSCRIPTIONS_TABLE: 'plp-channel-subscriptions',
      REALTIME_TICKETS_TABLE: 'plp-realtime-tickets',
      MONGODB_MAX_POOL_SIZE: '4',
      // One FerretDB scan of 10^4+ answers can take longer than the Lambdas' 10 s.
      MONGODB_SOCKET_TIMEOUT_MS: '300000',
      LOG_LEVEL: 'warn',
    };
    Object.assign(process.env, env);
    resetConfig();
    await syncIndexesAt(env.MONGODB_URL);
    const seedStarted = performance.now();
    await seedMongo(size);
    const seeded = `seeded in ${((performance.now() - seedStarted) / 1000).toFixed(0)} s`;
    await closeMongo();
    const baseline = child('baseline', size, env);
    const run = child('mongo', size, env);
    const note = `${seeded}; peak heap +${run.heapGrowthMb.toFixed(0)} MB`;
    mongo.push(measured(size, run, note, baseline.maxRssMb));
    console.log(`mongo ${size}: ${JSON.stringify(run)}`);
    await withMongo((db) => db.connection.dropDatabase());
    await closeMongo();
  }
  await mongoose.disconnect();
  printTable(
    `the real store on ${baseUrl.startsWith('mongodb://127.0.0.1:27018') ? 'the local stack (FerretDB 1.24, SQLite)' : 'MONGODB_URL'}:`,
    mongo,
    (m) =>
      `peak RSS ${m.run.maxRssMb.toFixed(0)} MB (+${(m.run.maxRssMb - (m.baselineRssMb ?? 0)).toFixed(0)} over connecting alone)`,
  );
}

const jobArg = process.argv.indexOf('--job');
if (jobArg >= 0) {
  job(process.argv[jobArg + 1] as Mode, Number(process.argv[jobArg + 2])).catch(
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
} else {
  main().catch((error: unknown) => {
    console.error('bench failed:', error);
    process.exit(1);
  });
}
