/**
 * npm run bench:analytics: how long one complete compute-analytics run takes, and its peak memory,
 * on 10^3, 10^4 and 10^5 seeded finished attempts (BENCH_SIZES to choose), and the ratio of
 * 10^5 to 10^4 (10x the attempts; linear is 10x). Results are recorded in bench/RESULTS.md.
 *
 * Seeded shape: classes of 50 students, tests of 5 questions (3 topics), so N attempts are N/50
 * tests and 5N answers; one answer in 10 left ungraded, one question in 10 unanswered.
 *
 * Each run happens in a fresh child process (this file with --job), so its peak RSS is the job's
 * and not the seeding's; a child that only connects gives the baseline to subtract. The engine is
 * the local stack's MongoDB (FerretDB), or MONGODB_URL when set to a real MongoDB.
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

const SIZES = (process.env.BENCH_SIZES ?? '1000,10000,100000').split(',').map(Number);
const CLASS_SIZE = 50;
const QUESTIONS = 5;
const TOPICS = ['algebra', 'geometry', 'statistics'];
const SEED_BATCH = 5_000;
/** The job's knobs (its defaults unless set): bigger pages mean fewer full scans on FerretDB. */
const PAGE_SIZE = Number(process.env.BENCH_PAGE_SIZE ?? DEFAULT_PAGE_SIZE);
const TESTS_PER_PASS = Number(process.env.BENCH_TESTS_PER_PASS ?? DEFAULT_TESTS_PER_PASS);

/**
 * The store with the time spent in each of its methods added up (for async iterables, the time
 * waiting for each next page), so the figures show where a run's time goes.
 */
function timedStore(store: AnalyticsJobStore, totals: Record<string, number>): AnalyticsJobStore {
  const add = (name: string, since: number) => {
    totals[name] = (totals[name] ?? 0) + performance.now() - since;
  };
  const timed: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(store) as [string, (...a: unknown[]) => unknown][]) {
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

/** The job's own process: connects, runs to completion, prints its figures as one JSON line. */
async function job(mode: 'run' | 'baseline'): Promise<void> {
  let heapPeak = 0;
  const sampler = setInterval(() => {
    heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
  }, 20);
  await withMongo(async () => undefined); // connect: part of the baseline
  const totals: Record<string, number> = {};
  const summary =
    mode === 'run'
      ? await computeAnalytics({
          store: timedStore(analyticsJobStore, totals),
          settleMs: 0,
          pageSize: PAGE_SIZE,
          testsPerPass: TESTS_PER_PASS,
        })
      : null;
  clearInterval(sampler);
  heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
  await closeMongo();
  console.log(
    JSON.stringify({
      summary,
      msByStoreCall: Object.fromEntries(Object.entries(totals).map(([k, v]) => [k, Math.round(v)])),
      maxRssMb: process.resourceUsage().maxRSS / 1024,
      heapPeakMb: heapPeak / 1024 / 1024,
    }),
  );
}

async function seed(attempts: number): Promise<void> {
  await withMongo(async (db) => {
    const c = (name: string) => db.connection.collection(name);
    const tests = Math.ceil(attempts / CLASS_SIZE);
    const start = Date.UTC(2020, 0, 1); // long settled
    for (let t = 1; t <= tests; t += 1) {
      await c('tests').insertOne({
        id: t,
        title: `Test ${t}`,
        description: null,
        subject: 'Maths',
        class: `C${t}`,
        teacherId: 1,
        totalMarks: QUESTIONS * 2,
        duration: 60,
        testDate: new Date(start),
        questionTypes: ['short'],
        status: 'published',
        createdAt: new Date(start),
      });
    }
    await c('questions').insertMany(
      Array.from({ length: tests * QUESTIONS }, (_, i) => ({
        id: i + 1,
        testId: Math.floor(i / QUESTIONS) + 1,
        type: 'short',
        text: 'q',
        options: null,
        correctAnswer: null,
        marks: 2,
        order: i % QUESTIONS,
        aiRubric: null,
        topic: TOPICS[i % TOPICS.length],
      })),
    );
    for (let from = 0; from < attempts; from += SEED_BATCH) {
      const ids = Array.from(
        { length: Math.min(SEED_BATCH, attempts - from) },
        (_, i) => from + i + 1,
      );
      await c('testattempts').insertMany(
        ids.map((id) => ({
          id,
          testId: Math.floor((id - 1) / CLASS_SIZE) + 1,
          studentId: ((id - 1) % CLASS_SIZE) + 1,
          startTime: new Date(start + id * 1_000),
          endTime: new Date(start + id * 1_000 + 600_000),
          score: null,
          status: 'completed',
          activeKey: `closed:${id}`,
          resultRevision: 1,
          resultChangedAt: new Date(start + id * 1_000 + 600_000),
        })),
      );
      await c('answers').insertMany(
        ids.flatMap((attemptId) => {
          const testId = Math.floor((attemptId - 1) / CLASS_SIZE) + 1;
          return Array.from({ length: QUESTIONS }, (_, q) => ({ attemptId, q, testId }))
            .filter(({ q }) => (attemptId + q) % 10 !== 0) // one in 10 unanswered
            .map(({ q, testId }) => ({
              id: attemptId * QUESTIONS + q,
              attemptId,
              questionId: (testId - 1) * QUESTIONS + q + 1,
              text: 'x',
              selectedOption: null,
              imageUrl: null,
              ocrText: null,
              score: (attemptId * 7 + q) % 10 === 3 ? null : (attemptId + q) % 3,
              aiConfidence: null,
              aiFeedback: null,
              feedback: null,
              isCorrect: null,
            }));
        }),
      );
    }
  });
}

interface JobFigures {
  summary: { processed: number; written: number; tests: number; durationMs: number } | null;
  msByStoreCall: Record<string, number>;
  maxRssMb: number;
  heapPeakMb: number;
}

function child(mode: 'run' | 'baseline', env: NodeJS.ProcessEnv): JobFigures {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--job', mode],
    { env, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
  );
  return JSON.parse(out.trim().split('\n').at(-1) as string) as JobFigures;
}

async function main(): Promise<void> {
  const stackEnv = await startStack({ only: ['mongo'] });
  const baseUrl = process.env.MONGODB_URL ?? (stackEnv.MONGODB_URL as string);
  const rows: string[] = [];
  const durations = new Map<number, number>();
  const breakdowns: string[] = [];
  /** Duration minus the time spent waiting on the store: the job's own computing. */
  const ownTimes = new Map<number, number>();
  for (const size of SIZES) {
    const env = {
      ...process.env,
      ...stackEnv,
      MONGODB_URL: withDatabase(baseUrl, `bench_analytics_${size}_${Date.now()}`),
      SESSIONS_TABLE: 'bench-sessions',
      WORKER_LEASES_TABLE: 'bench-leases',
      IDEMPOTENCY_TABLE: 'bench-idempotency',
      MONGODB_MAX_POOL_SIZE: '4',
      // At 10^5 one FerretDB scan of the answers takes longer than the Lambdas' 10 s.
      MONGODB_SOCKET_TIMEOUT_MS: '300000',
      LOG_LEVEL: 'warn',
    };
    Object.assign(process.env, env);
    resetConfig();
    await syncIndexesAt(env.MONGODB_URL);
    const seedStarted = performance.now();
    await seed(size);
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    await closeMongo();

    const baseline = child('baseline', env);
    const run = child('run', env);
    const summary = run.summary as NonNullable<JobFigures['summary']>;
    if (summary.processed !== size || summary.written !== size) {
      throw new Error(`expected ${size} attempts processed, got ${JSON.stringify(summary)}`);
    }
    durations.set(size, summary.durationMs);
    const storeMs = Object.values(run.msByStoreCall).reduce((a, b) => a + b, 0);
    ownTimes.set(size, summary.durationMs - storeMs);
    rows.push(
      `| ${size.toLocaleString('en')} | ${summary.tests} | ${(summary.durationMs / 1000).toFixed(2)} s | ${ownTimes.get(size)} ms | ${Math.round((size / summary.durationMs) * 1000).toLocaleString('en')} | ${run.maxRssMb.toFixed(0)} MB (+${(run.maxRssMb - baseline.maxRssMb).toFixed(0)} over connecting alone) | ${run.heapPeakMb.toFixed(0)} MB | ${seedSeconds.toFixed(0)} s |`,
    );
    console.log(rows.at(-1));
    console.log(`  time per store call (ms): ${JSON.stringify(run.msByStoreCall)}`);
    breakdowns.push(`${size}: ${JSON.stringify(run.msByStoreCall)}`);
    await withMongo((db) => db.connection.dropDatabase());
    await closeMongo();
  }
  await mongoose.disconnect();

  console.log(
    `\nengine: ${process.env.MONGODB_URL?.startsWith('mongodb://127.0.0.1:27018') ? 'local stack (FerretDB 1.24, SQLite)' : 'MONGODB_URL'}; page size ${PAGE_SIZE}, tests per pass ${TESTS_PER_PASS}; classes of ${CLASS_SIZE}, ${QUESTIONS} questions per test`,
  );
  console.log(
    '| attempts | tests | job duration | of which not waiting on the database | attempts/s | peak RSS | peak heap | seeding |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
  console.log('\ntime per store call (ms), the rest is computing:');
  for (const line of breakdowns) console.log(`- ${line}`);
  const [small, large] = [durations.get(10_000), durations.get(100_000)];
  if (small && large)
    console.log(`\nratio 10^5 / 10^4: ${(large / small).toFixed(2)}x (linear: 10x)`);
}

const jobMode = process.argv.indexOf('--job');
if (jobMode >= 0) {
  job(process.argv[jobMode + 1] === 'baseline' ? 'baseline' : 'run').catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
} else {
  main().catch((error: unknown) => {
    console.error('bench failed:', error);
    process.exit(1);
  });
}
