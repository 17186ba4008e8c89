/**
 * npm run verify:load (issue 7, items 2 and 3), through serverless-offline on the local stack.
 *
 * load: warm latency and throughput with autocannon at 10 and 50 connections (BENCH_LOAD_SECONDS
 *   per run, default 30) for GET /api/channels/:id/messages, POST /api/messages,
 *   GET /api/tests/:id/questions and GET /api/users/me, each route on a serverless-offline of its
 *   own, its Lambda workers started first by bursts with no other load, then warmed (see warmUp:
 *   a cold start is not a warm request), and kept alive while idle as Lambda keeps them. Check: no errors (non-2xx, socket errors, timeouts); the workers started
 *   during the measured run are reported. Next to each, the same storage work made in-process at the same concurrency
 *   (BENCH_INPROCESS_SECONDS, default 5): the session look-up, the access checks' reads and the
 *   operation, i.e. everything the handler asks of the databases, without HTTP, the emulator and
 *   middy. HTTP p50 / in-process p50 is reported, with no budget.
 *
 * connections: a mixed run of the four routes (BENCH_CONNECTIONS_SECONDS, default 120, at
 *   BENCH_MIXED_CONNECTIONS, default 10) on a fresh, warmed serverless-offline, sampled every
 *   second: open TCP connections from its process group to each engine port, its Lambda worker
 *   count and the group's RSS. serverless-offline, like Lambda, runs one instance (a worker
 *   thread) per concurrent request of a function, each with its own pools. Checks: the most
 *   connections per engine <= the per-instance pool bound × the most workers seen; RSS after
 *   20 s of warm-up grows <= 10 %.
 *
 * Data lives in a database and keyspace of its own (dropped at the end).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import autocannon, { type AutocannonRequest, type AutocannonResult } from 'autocannon';
import { type ClientOptions, types } from 'cassandra-driver';
import { percentile } from '../lib/analytics/formulas';
import { channelAccess } from '../lib/authz/channels';
import { questionsFor, readableTest } from '../lib/authz/tests';
import { config, resetConfig } from '../lib/config';
import { closeCassandra, getCassandra, withCassandra } from '../lib/db/cassandra';
import { closeDynamo, DYNAMO_MAX_SOCKETS } from '../lib/db/dynamo';
import { closeMongo, withMongo } from '../lib/db/mongo';
import type { Caller } from '../lib/http/types';
import { createSession, findSession } from '../lib/sessions/session-store';
import { storage } from '../lib/storage';
import { messageStore } from '../lib/storage/messages';
import { syncIndexesAt } from '../lib/storage/mongo/indexes';
import { drivenServerSettings, type OfflineServer, startOffline } from '../scripts/offline-server';
import { migrateWith, startStack } from '../scripts/stack';
import { withDatabase } from '../scripts/stack/mongo-url';
import { insertQuestionSchema, insertTestSchema } from '../shared/schema';
import { type WarmLatency, writeWarmLatencyChart } from '../verify/load-chart';
import { type Check, reportChecks, verifyDir } from './verify-report';

const seconds = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};
const LOAD_SECONDS = seconds('BENCH_LOAD_SECONDS', 30);
/** Longer than any one server's runs: no worker is ended (and cold-started again) mid-run. */
const IDLE_WORKER_SECONDS = 900;
/**
 * Warm-up (see warmUp): burst sizes' step, headroom over the run's connections, how often the
 * largest burst may be repeated, and the steady round's requests per connection.
 */
const WARMUP_STEP = 10;
const WARMUP_HEADROOM = 1.2;
const WARMUP_MAX_REPEATS = 4;
const WARMUP_STEADY_REQUESTS = 20;
const INPROCESS_SECONDS = seconds('BENCH_INPROCESS_SECONDS', 5);
const CONNECTIONS_SECONDS = seconds('BENCH_CONNECTIONS_SECONDS', 120);
const MIXED_CONNECTIONS = seconds('BENCH_MIXED_CONNECTIONS', 10);
const CONNECTION_COUNTS = [10, 50] as const;
/**
 * For a look at one route (BENCH_LOAD_ROUTES=users/me: names containing any of the comma-separated
 * parts) or at the load runs alone (BENCH_LOAD_MIXED=0). A filtered run reports what it measured.
 */
const ROUTE_FILTER = (process.env.BENCH_LOAD_ROUTES ?? '').split(',').filter(Boolean);
const RUN_MIXED = process.env.BENCH_LOAD_MIXED !== '0';
/** The mixed run's first seconds start workers and fill pools: RSS is compared after them. */
const RSS_WARMUP_SECONDS = 20;
/** Seconds at the start (after warm-up) and at the end whose RSS medians are compared. */
const RSS_WINDOW_SECONDS = 20;
const RSS_GROWTH_BUDGET = 0.1;
/** serverless-offline's output, a file per server (load-offline-<n>.log), for reading afterwards. */
const offlineLog = (name: string) => join(verifyDir, `load-offline-${name}.log`);
const HISTORY_MESSAGES = 300;
const QUESTIONS = 10;
const STUDENTS = 4;
/** A Mongo client's connections besides its pool: the server monitor and its RTT pinger. */
const MONGO_MONITOR_CONNECTIONS = 2;

// ---------------------------------------------------------------------------------------------
// Data

interface Fixture {
  teacherToken: string;
  studentTokens: string[];
  channelId: number;
  testId: number;
}

async function seed(): Promise<Fixture> {
  const stamp = Date.now().toString(36);
  const user = (name: string, role: 'teacher' | 'student') =>
    storage.createUser({
      username: `load${name}${stamp}`,
      password: 'load-test-password',
      name: `Load ${name}`,
      email: `load${name}${stamp}@example.test`,
      role,
      class: role === 'student' ? 'LOAD-10A' : null,
      subject: role === 'teacher' ? 'Physics' : null,
    });
  const teacher = await user('teacher', 'teacher');
  const students = await Promise.all(
    Array.from({ length: STUDENTS }, (_, i) => user(`student${i}`, 'student')),
  );
  const workspace = await storage.createWorkspace({
    name: 'Load workspace',
    ownerId: teacher.id,
    members: [teacher.id, ...students.map((s) => s.id)],
  });
  const channel = await storage.createChannel({
    workspaceId: workspace.id,
    name: 'general',
    type: 'text',
  });
  const store = await messageStore();
  const authors = [teacher, ...students];
  for (let i = 0; i < HISTORY_MESSAGES; i += 10) {
    await Promise.all(
      Array.from({ length: 10 }, (_, j) =>
        store.create({
          channelId: channel.id,
          authorId: (authors[(i + j) % authors.length] as { id: number }).id,
          content: `history message ${i + j}: ${'lorem ipsum '.repeat(8)}`,
          type: 'text',
          fileUrl: null,
          isHomework: false,
        }),
      ),
    );
  }
  const test = await storage.createTest({
    ...insertTestSchema.parse({
      title: 'Load test',
      subject: 'Physics',
      class: 'LOAD-10A',
      testDate: new Date().toISOString(),
      status: 'published',
    }),
    teacherId: teacher.id,
  });
  for (let order = 1; order <= QUESTIONS; order += 1) {
    await storage.createQuestion(
      insertQuestionSchema.parse({
        testId: test.id,
        type: 'mcq',
        text: `Question ${order}: which of these is a vector quantity?`,
        options: ['speed', 'mass', 'velocity', 'energy'],
        correctAnswer: '2',
        marks: 2,
        order,
      }),
    );
  }
  const sessions = await Promise.all(authors.map((a) => createSession(a)));
  const [teacherSession, ...studentSessions] = sessions.map((s) => s.token);
  return {
    teacherToken: teacherSession as string,
    studentTokens: studentSessions,
    channelId: channel.id,
    testId: test.id,
  };
}

// ---------------------------------------------------------------------------------------------
// Routes: each as an HTTP request and as the storage work its handler does

interface Route {
  name: string;
  request: AutocannonRequest;
  /** The handler's database work for the session `token`, made in this process. */
  inProcess(token: string): Promise<unknown>;
}

async function callerOf(token: string): Promise<Caller> {
  const session = await findSession(token);
  if (!session) throw new Error('the fixture session was not found');
  return { userId: session.userId, role: session.role, sessionId: session.id };
}

function routes(fixture: Fixture): Route[] {
  const { channelId, testId } = fixture;
  return [
    {
      name: 'GET /api/channels/:id/messages',
      request: { method: 'GET', path: `/api/channels/${channelId}/messages` },
      inProcess: async (token) => {
        const caller = await callerOf(token);
        await channelAccess(caller, channelId);
        return (await messageStore()).history(channelId, { limit: 50 });
      },
    },
    {
      name: 'POST /api/messages',
      request: {
        method: 'POST',
        path: '/api/messages',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ channelId, content: 'a message sent under load' }),
      },
      inProcess: async (token) => {
        const caller = await callerOf(token);
        await channelAccess(caller, channelId);
        return (await messageStore()).create({
          channelId,
          authorId: caller.userId,
          content: 'a message sent under load',
          type: 'text',
          fileUrl: null,
          isHomework: false,
        });
      },
    },
    {
      name: 'GET /api/tests/:id/questions',
      request: { method: 'GET', path: `/api/tests/${testId}/questions` },
      inProcess: async (token) => {
        const caller = await callerOf(token);
        const test = await readableTest(caller, testId);
        return questionsFor(caller, test, await storage.getQuestionsByTest(test.id));
      },
    },
    {
      name: 'GET /api/users/me',
      request: { method: 'GET', path: '/api/users/me' },
      inProcess: async (token) => {
        const caller = await callerOf(token);
        const user = await storage.getUser(caller.userId);
        if (!user) throw new Error('the fixture user was not found');
        return user;
      },
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Measuring

interface HttpRun {
  p50: number;
  p99: number;
  rps: number;
  requests: number;
  ok: number;
  non2xx: number;
  /** Socket errors and timeouts (autocannon counts timeouts among its errors). */
  errors: number;
  timeouts: number;
}

/**
 * autocannon against `url`; connection i sends its requests with session tokens[i % n]. `warmUp`:
 * a client timeout long enough for cold starts of workers on two busy cores.
 */
async function cannon(
  url: string,
  requests: AutocannonRequest[],
  connections: number,
  tokens: string[],
  {
    duration,
    amount,
    warmUp = false,
  }:
    | { duration: number; amount?: undefined; warmUp?: boolean }
    | { duration?: undefined; amount: number; warmUp?: boolean },
): Promise<HttpRun> {
  let next = 0;
  const result: AutocannonResult = await autocannon({
    url,
    connections,
    ...(amount === undefined ? { duration } : { amount }),
    // Measured runs: the functions' 10 s timeout, so a hang counts.
    timeout: warmUp ? 120 : 10,
    requests,
    setupClient: (client) => {
      const cookie = `sid=${tokens[next % tokens.length]}`;
      next += 1;
      client.setRequests(requests.map((r) => ({ ...r, headers: { ...r.headers, cookie } })));
    },
  });
  return {
    p50: result.latency.p50,
    p99: result.latency.p99,
    rps: result.requests.average,
    requests: result.requests.total,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

/** Errors of a run; a run that completed no request at all (a jam) is all errors. */
const failuresOf = (run: HttpRun) => run.non2xx + run.errors + (run.ok === 0 ? 1 : 0);

/**
 * The Lambda workers of `server`, read from its threads: each worker is one worker thread, i.e. one
 * OS thread, and the process had one worker (get-health's) when it became ready. `count()`: how many
 * there are now; `startedSince(snapshot)`: threads begun after a `snapshot()`, which a worker ended
 * and replaced in between cannot hide from.
 */
function workerThreads(server: OfflineServer) {
  const pid = server.child.pid as number;
  const snapshot = () => new Set(readdirSync(`/proc/${pid}/task`));
  const baseThreads = snapshot().size - 1;
  return {
    snapshot,
    count: () => snapshot().size - baseThreads,
    startedSince: (before: Set<string>) => [...snapshot()].filter((id) => !before.has(id)).length,
  };
}
type WorkerThreads = ReturnType<typeof workerThreads>;

/**
 * `n` requests of `route` sent at once (fetch opens a connection for each, none being idle):
 * serverless-offline's main thread hands them to workers within milliseconds, mostly before a
 * warm worker can answer and take another, so the function ends up with nearly `n` workers.
 * Returns how many failed (not counting a Lambda timeout, which serverless-offline answers 200).
 */
async function burst(url: string, route: Route, n: number, tokens: string[]): Promise<number> {
  const { method, path, headers, body } = route.request;
  const replies = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      fetch(`${url}${path}`, {
        method,
        headers: { ...headers, cookie: `sid=${tokens[i % tokens.length]}` },
        ...(body === undefined ? {} : { body: String(body) }),
        signal: AbortSignal.timeout(120_000),
      })
        .then(async (reply) => {
          await reply.arrayBuffer();
          return reply.ok;
        })
        // Refused, reset or timed out, before or while reading the body: a failed request.
        .catch(() => false),
    ),
  );
  return replies.filter((ok) => !ok).length;
}

/**
 * Warms every route for a run at `connections`. serverless-offline starts a Lambda worker whenever a
 * request finds all of the function's workers busy; on Lambda each new instance has a CPU of its
 * own, here all share two cores. A cold start begun beside 50 connections of load gets a sliver of
 * a core and takes 5 to over 10 s (module load, connects, first queries): past the function's
 * timeout, which ends the worker, so the next burst starts another, and so on. So the workers are
 * started with no other load, by bursts (see burst) of WARMUP_STEP, 2 × WARMUP_STEP, … requests up
 * to WARMUP_HEADROOM × `connections`, the last size repeated until a burst starts no worker: a few
 * cold starts at a time, as rising traffic would start them. A measured run has at most
 * `connections` requests in flight, fewer than the workers so started, as a rule. Then a steady
 * round at `connections`, a fixed number of requests (so none is still in flight when it ends),
 * fills pools and JITs. Workers started during a measured run are reported with it.
 */
async function warmUp(
  server: OfflineServer,
  workers: WorkerThreads,
  list: Route[],
  connections: number,
  tokens: string[],
): Promise<string> {
  const started = performance.now();
  const notes = [];
  const target = Math.ceil(connections * WARMUP_HEADROOM);
  const sizes = [];
  for (let size = WARMUP_STEP; size < target; size += WARMUP_STEP) sizes.push(size);
  sizes.push(target);
  for (const route of list) {
    const before = workers.snapshot();
    let failed = 0;
    const done: number[] = [];
    for (const size of sizes) {
      failed += await burst(server.url, route, size, tokens);
      done.push(size);
    }
    for (let again = 1; again <= WARMUP_MAX_REPEATS; again++) {
      const last = workers.snapshot();
      failed += await burst(server.url, route, target, tokens);
      done.push(target);
      if (workers.startedSince(last) === 0) break;
    }
    const byBursts = workers.startedSince(before);
    const steadyBefore = workers.snapshot();
    const steady = connections * WARMUP_STEADY_REQUESTS;
    const run = await cannon(server.url, [route.request], connections, tokens, {
      amount: steady,
      warmUp: true,
    });
    failed += failuresOf(run);
    notes.push(
      `${byBursts} workers started by bursts of ${done.join(', ')}, ${workers.startedSince(steadyBefore)} by ${steady} steady requests; ${failed} failed requests; ${workers.count()} workers`,
    );
  }
  return `${((performance.now() - started) / 1000).toFixed(0)} s (${notes.join('; ')})`;
}

interface InProcessRun {
  p50: number;
  p99: number;
  ops: number;
  errors: number;
  firstError?: string;
}

/** `concurrency` loops calling `op` back to back for `duration` seconds. */
async function inProcessLoad(
  concurrency: number,
  duration: number,
  op: (loop: number) => Promise<unknown>,
): Promise<InProcessRun> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const deadline = performance.now() + duration * 1_000;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, loop) => {
      while (performance.now() < deadline) {
        const started = performance.now();
        try {
          await op(loop);
          latencies.push(performance.now() - started);
        } catch (error) {
          // Counted and reported (a check fails on it), not hidden.
          errors += 1;
          firstError ??= (error as Error).message;
        }
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return {
    p50: percentile(latencies, 50) ?? Number.NaN,
    p99: percentile(latencies, 99) ?? Number.NaN,
    ops: latencies.length / duration,
    errors,
    ...(firstError ? { firstError } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// The serverless-offline process group, from /proc

/** Pids of the processes in process group `pgid` (serverless-offline and its children). */
function groupPids(pgid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcFile(`/proc/${entry}/stat`);
    // Fields after the command name (which may hold spaces): state ppid pgrp ...
    const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields && Number(fields[2]) === pgid) pids.push(Number(entry));
  }
  return pids;
}

/** A /proc file's text, or undefined when its process ended meanwhile. */
function readProcFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (isGone(error)) return undefined;
    throw error;
  }
}

/** A process or file descriptor that ended between listing and reading it. */
const isGone = (error: unknown) =>
  ['ENOENT', 'ESRCH'].includes((error as NodeJS.ErrnoException).code ?? '');

function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch (error) {
    if (isGone(error)) return inodes;
    throw error;
  }
  for (const fd of fds) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch (error) {
      if (isGone(error)) continue;
      throw error;
    }
    const match = /^socket:\[(\d+)\]$/.exec(target);
    if (match) inodes.add(match[1] as string);
  }
  return inodes;
}

const TCP_LISTEN = '0A';

/** Open TCP connections owned by `inodes`, counted by remote port. */
function connectionsByRemotePort(inodes: Set<string>): Map<number, number> {
  const counts = new Map<number, number>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const lines = (readProcFile(file) ?? '').trim().split('\n').slice(1);
    for (const line of lines) {
      const f = line.trim().split(/\s+/);
      const [remote, state, inode] = [f[2] ?? '', f[3], f[9] ?? ''];
      if (state === TCP_LISTEN || !inodes.has(inode)) continue;
      const port = Number.parseInt(remote.slice(remote.lastIndexOf(':') + 1), 16);
      counts.set(port, (counts.get(port) ?? 0) + 1);
    }
  }
  return counts;
}

const statusField = (status: string | undefined, field: string) =>
  Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status ?? '')?.[1] ?? 0);

const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));

/**
 * CPU seconds used so far by the main thread of process `pid`: serverless-offline's main thread
 * routes every request to and from the workers, so it is the emulator's one serial resource.
 */
function mainThreadCpuSeconds(pid: number): number {
  const stat = readProcFile(`/proc/${pid}/task/${pid}/stat`) ?? '';
  // After the command name: state is field 3, utime and stime fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/** Runs `work` and returns its result with the share of one core pid's main thread used meanwhile. */
async function withMainThreadCpu<T>(
  pid: number,
  work: () => Promise<T>,
): Promise<{ result: T; mainThreadCpu: number }> {
  const [cpu0, t0] = [mainThreadCpuSeconds(pid), performance.now()];
  const result = await work();
  const used = mainThreadCpuSeconds(pid) - cpu0;
  return { result, mainThreadCpu: used / ((performance.now() - t0) / 1_000) };
}

const percent = (share: number) => `${(share * 100).toFixed(0)} %`;

interface Sample {
  second: number;
  connections: Record<string, number>;
  /** All processes of the group. */
  rssMb: number;
  /** The serverless-offline process alone (its workers are threads of it; esbuild is not). */
  offlineRssMb: number;
  workers: number;
}

/**
 * One sample of the group, with its Lambda worker count from `workers` (see workerThreads).
 */
function sampleGroup(
  pgid: number,
  ports: Record<string, number>,
  workers: WorkerThreads,
  second: number,
): Sample {
  const pids = groupPids(pgid);
  const inodes = new Set<string>();
  let rssKb = 0;
  let offlineRssKb = 0;
  for (const pid of pids) {
    for (const inode of socketInodes(pid)) inodes.add(inode);
    const kb = statusField(readProcFile(`/proc/${pid}/status`), 'VmRSS');
    rssKb += kb;
    if (pid === pgid) offlineRssKb = kb;
  }
  const byPort = connectionsByRemotePort(inodes);
  const connections = Object.fromEntries(
    Object.entries(ports).map(([engine, port]) => [engine, byPort.get(port) ?? 0]),
  );
  return {
    second,
    connections,
    rssMb: rssKb / 1024,
    offlineRssMb: offlineRssKb / 1024,
    workers: workers.count(),
  };
}

// ---------------------------------------------------------------------------------------------

const ms = (value: number) => (value < 10 ? value.toFixed(2) : value.toFixed(1));
const median = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  ) ?? Number.NaN;

function enginePorts(env: Record<string, string>): Record<string, number> {
  const port = (text: string | undefined, what: string) => {
    const match = /:(\d+)(?:[/?,]|$)/.exec(text ?? '');
    if (!match) throw new Error(`no port in ${what}: ${text}`);
    return Number(match[1]);
  };
  return {
    mongo: port(env.MONGODB_URL, 'MONGODB_URL'),
    cassandra: port(env.CASSANDRA_CONTACT_POINTS, 'CASSANDRA_CONTACT_POINTS'),
    dynamodb: port(env.DYNAMODB_ENDPOINT, 'DYNAMODB_ENDPOINT'),
  };
}

/**
 * Handler durations serverless-offline logs per invocation ("RequestId: … Duration: 12.34 ms",
 * not the Billed Duration after it) from now on: they tell time spent in a worker from time spent
 * waiting for one. And the invocations that failed in the emulator: a Lambda timeout or crash is
 * logged as "× <error>" and answered with status 200 (its HTTP API 2.0 path wraps the error
 * object as a body), so the client's count of 2xx cannot see it; API Gateway would answer 5xx.
 */
function handlerLog(server: OfflineServer) {
  const durations: number[] = [];
  let lambdaTimeouts = 0;
  let failed = 0;
  let lastLine = performance.now();
  const read = (chunk: Buffer) => {
    lastLine = performance.now();
    for (const match of chunk
      .toString()
      .matchAll(/RequestId: \S+\s+Duration: ([\d.]+) ms|^× (.*)$/gm)) {
      if (match[2] === undefined) durations.push(Number(match[1]));
      else {
        failed += 1;
        if (match[2].includes('Lambda timeout')) lambdaTimeouts += 1;
      }
    }
  };
  server.child.stdout?.on('data', read);
  server.child.stderr?.on('data', read);
  return {
    /** Clears what was collected so far (a warm-up's invocations). */
    reset() {
      durations.length = 0;
      lambdaTimeouts = 0;
      failed = 0;
    },
    /** Invocations that failed in the emulator (Lambda timeouts among them). */
    failed: () => failed,
    /** The longest handler duration so far, in ms (NaN before any). */
    max: () => (durations.length ? durations.reduce((a, b) => Math.max(a, b)) : Number.NaN),
    /** Resolves once the server has printed nothing for `ms` (its invocations have ended), or after 30 s. */
    async quiet(ms: number): Promise<void> {
      const deadline = performance.now() + 30_000;
      while (performance.now() - lastLine < ms && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, ms / 4));
      }
    },
    summary() {
      const sorted = [...durations].sort((a, b) => a - b);
      if (sorted.length === 0 && failed === 0) return 'no invocation log';
      return `handler p50 ${ms(percentile(sorted, 50) ?? Number.NaN)} ms, p99 ${ms(percentile(sorted, 99) ?? Number.NaN)} ms, max ${ms(sorted.at(-1) ?? Number.NaN)} ms over ${sorted.length} invocations, ${failed} failed invocations (${lambdaTimeouts} Lambda timeouts)`;
    },
  };
}

/**
 * Starts serverless-offline and says how long that took. Its idle workers live through the whole
 * run, as a Lambda's warm instances would (see OfflineOptions.idleWorkerSeconds).
 */
async function offline(env: Record<string, string>, name: string): Promise<OfflineServer> {
  const started = performance.now();
  const server = await startOffline(env, {
    idleWorkerSeconds: IDLE_WORKER_SECONDS,
    logFile: offlineLog(name),
  });
  console.log(`serverless-offline ready in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return server;
}

/**
 * Each route on a serverless-offline of its own: the 50 workers of one route's run would
 * otherwise idle on (for IDLE_WORKER_SECONDS) next to the next route's.
 */
async function measureLoad(
  env: Record<string, string>,
  list: Route[],
  tokens: string[],
  inProcess: Map<string, InProcessRun>,
): Promise<Check[]> {
  const checks: Check[] = [];
  const rows: string[] = [];
  const charted: WarmLatency[] = [];
  for (const [index, route] of list.entries()) {
    const server = await offline(env, `route${index + 1}`);
    const invocations = handlerLog(server);
    const workers = workerThreads(server);
    try {
      for (const connections of CONNECTION_COUNTS) {
        const warm = await warmUp(server, workers, [route], connections, tokens);
        // The warm-up's last invocations logged, then counted apart from the measured run.
        await invocations.quiet(1_000);
        const warmFailed = invocations.failed();
        invocations.reset();
        const threadsBefore = workers.snapshot();
        const { result: run, mainThreadCpu } = await withMainThreadCpu(
          server.child.pid as number,
          () =>
            cannon(server.url, [route.request], connections, tokens, { duration: LOAD_SECONDS }),
        );
        const local = inProcess.get(`${route.name}@${connections}`) as InProcessRun;
        const ratio = run.p50 / local.p50;
        charted.push({ route: route.name, connections, p50: run.p50, p99: run.p99 });
        // A failed invocation whose answer autocannon counted as 2xx (see handlerLog).
        const failures = failuresOf(run) + invocations.failed();
        const started = `${workers.startedSince(threadsBefore)} workers started during the run (${workers.count()} in all)`;
        console.log(
          `${route.name} @${connections}: p50 ${ms(run.p50)} ms, p99 ${ms(run.p99)} ms, ${run.rps.toFixed(0)} req/s, ${failures} errors, emulator main thread ${percent(mainThreadCpu)} of a core; ${invocations.summary()}; ${started} (warm-up ${warm}; ${warmFailed} failed invocations)`,
        );
        rows.push(
          `| ${route.name} | ${connections} | ${ms(run.p50)} | ${ms(run.p99)} | ${run.rps.toFixed(0)} | ${run.non2xx} / ${run.errors - run.timeouts} / ${run.timeouts} | ${invocations.failed()} | ${ms(invocations.max())} | ${workers.startedSince(threadsBefore)} | ${ms(local.p50)} | ${ms(local.p99)} | ${local.ops.toFixed(0)} | ${ratio.toFixed(1)}x | ${percent(mainThreadCpu)} |`,
        );
        checks.push({
          name: `${route.name} at ${connections} connections: errors = 0`,
          ok: failures === 0 && local.errors === 0,
          detail: `p50 ${ms(run.p50)} ms, p99 ${ms(run.p99)} ms, ${run.rps.toFixed(0)} req/s (${run.ok} 2xx), ${run.non2xx} non-2xx, ${run.errors - run.timeouts} socket errors, ${run.timeouts} timeouts; in-process p50 ${ms(local.p50)} ms (HTTP/in-process p50 ${ratio.toFixed(1)}x); emulator main thread ${percent(mainThreadCpu)} of a core; ${invocations.summary()}; ${started}${local.errors ? `; ${local.errors} in-process errors: ${local.firstError}` : ''}`,
        });
      }
    } finally {
      await server.stop();
    }
  }
  console.log(
    `\nWarm load through serverless-offline, ${LOAD_SECONDS} s per run after a warm-up; in-process: the handler's storage calls (session look-up, access checks, operation), ${INPROCESS_SECONDS} s per run`,
  );
  console.log(
    '| route | connections | HTTP p50 ms | HTTP p99 ms | req/s | non-2xx / socket errors / timeouts | failed invocations | handler max ms | workers started | in-process p50 ms | in-process p99 ms | in-process ops/s | HTTP/in-process p50 | emulator main thread CPU |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
  console.log(`chart: ${writeWarmLatencyChart(charted, { seconds: LOAD_SECONDS })}`);
  return checks;
}

async function measureConnections(
  env: Record<string, string>,
  list: Route[],
  tokens: string[],
): Promise<Check[]> {
  const ports = enginePorts(env);
  const server = await offline(env, 'mixed');
  const invocations = handlerLog(server);
  try {
    const pgid = server.child.pid as number;
    const workers = workerThreads(server);
    // Every function gets the workers this concurrency needs before sampling starts, so the RSS
    // comparison sees a warm emulator rather than one still starting workers.
    console.log(
      `mixed-run warm-up: ${await warmUp(server, workers, list, MIXED_CONNECTIONS, tokens)}`,
    );
    invocations.reset();
    const samples: Sample[] = [];
    const started = performance.now();
    const sampler = setInterval(() => {
      const second = Math.round((performance.now() - started) / 1_000);
      samples.push(sampleGroup(pgid, ports, workers, second));
    }, 1_000);
    const { result: run, mainThreadCpu } = await withMainThreadCpu(pgid, () =>
      cannon(
        server.url,
        list.map((r) => r.request),
        MIXED_CONNECTIONS,
        tokens,
        { duration: CONNECTIONS_SECONDS },
      ),
    ).finally(() => clearInterval(sampler));

    const mongoPool = config().mongo.maxPoolSize;
    const cassandra = await getCassandra();
    const cassandraPerHost =
      // The driver fills in its pooling defaults on connect; they are on an untyped field.
      (cassandra as unknown as { options: ClientOptions }).options.pooling
        ?.coreConnectionsPerHost?.[types.distance.local] ?? Number.NaN;
    const cassandraHosts = cassandra.hosts.length;
    const perInstance = {
      mongo: mongoPool + MONGO_MONITOR_CONNECTIONS,
      // One pool per host plus the control connection.
      cassandra: cassandraPerHost * cassandraHosts + 1,
      dynamodb: DYNAMO_MAX_SOCKETS,
    };
    const perInstanceText = {
      mongo: `(MONGODB_MAX_POOL_SIZE ${mongoPool} + ${MONGO_MONITOR_CONNECTIONS} monitoring)`,
      cassandra: `(coreConnectionsPerHost ${cassandraPerHost} × ${cassandraHosts} host + 1 control)`,
      dynamodb: `(agent maxSockets ${DYNAMO_MAX_SOCKETS})`,
    };
    const maxWorkers = Math.max(...samples.map((s) => s.workers));
    const checks: Check[] = [];
    console.log(
      `\nMixed run: ${MIXED_CONNECTIONS} connections over the four routes for ${CONNECTIONS_SECONDS} s: ${run.rps.toFixed(0)} req/s, p50 ${ms(run.p50)} ms, p99 ${ms(run.p99)} ms, ${run.non2xx} non-2xx, ${run.errors} errors; up to ${maxWorkers} Lambda workers; emulator main thread ${percent(mainThreadCpu)} of a core`,
    );
    console.log(
      '| engine | port | max open connections | at second | median | per-instance bound | bound × max workers |',
    );
    console.log('|---|---|---|---|---|---|---|');
    for (const engine of Object.keys(ports) as (keyof typeof perInstance)[]) {
      const counts = samples.map((s) => s.connections[engine] ?? 0);
      const max = Math.max(...counts);
      const at = samples[counts.indexOf(max)]?.second;
      const bound = perInstance[engine] * maxWorkers;
      console.log(
        `| ${engine} | ${ports[engine]} | ${max} | ${at} | ${median(counts)} | ${perInstance[engine]} ${perInstanceText[engine]} | ${bound} |`,
      );
      checks.push({
        name: `open connections to ${engine} (:${ports[engine]}) <= per-instance pool × Lambda workers`,
        ok: max <= bound,
        detail: `max ${max} (second ${at}), median ${median(counts)}; bound ${perInstance[engine]} ${perInstanceText[engine]} × ${maxWorkers} workers = ${bound}`,
      });
    }
    const steady = samples.filter((s) => s.second > RSS_WARMUP_SECONDS);
    const first = steady.slice(0, RSS_WINDOW_SECONDS).map((s) => s.rssMb);
    const last = steady.slice(-RSS_WINDOW_SECONDS).map((s) => s.rssMb);
    const growth = median(last) / median(first) - 1;
    const offlineFirst = median(steady.slice(0, RSS_WINDOW_SECONDS).map((s) => s.offlineRssMb));
    const offlineLast = median(steady.slice(-RSS_WINDOW_SECONDS).map((s) => s.offlineRssMb));
    const workersFirst = median(steady.slice(0, RSS_WINDOW_SECONDS).map((s) => s.workers));
    const workersLast = median(steady.slice(-RSS_WINDOW_SECONDS).map((s) => s.workers));
    checks.push({
      name: `RSS growth after ${RSS_WARMUP_SECONDS} s of warm-up <= ${RSS_GROWTH_BUDGET * 100} %`,
      ok: growth <= RSS_GROWTH_BUDGET,
      detail: `median RSS ${median(first).toFixed(0)} MB (s ${RSS_WARMUP_SECONDS}-${RSS_WARMUP_SECONDS + RSS_WINDOW_SECONDS}) → ${median(last).toFixed(0)} MB (last ${RSS_WINDOW_SECONDS} s): ${(growth * 100).toFixed(1)} % (of which the serverless-offline process ${offlineFirst.toFixed(0)} → ${offlineLast.toFixed(0)} MB, the rest esbuild's service); workers ${workersFirst} → ${workersLast}`,
    });
    checks.push({
      name: 'mixed run: errors = 0',
      ok: failuresOf(run) + invocations.failed() === 0,
      detail: `${run.ok} 2xx, ${run.rps.toFixed(0)} req/s, p50 ${ms(run.p50)} ms, p99 ${ms(run.p99)} ms, ${run.non2xx} non-2xx, ${run.errors - run.timeouts} socket errors, ${run.timeouts} timeouts; emulator main thread ${percent(mainThreadCpu)} of a core; ${invocations.summary()}`,
    });
    console.log(
      '\nPer 10 s: second, workers, RSS MB (group / serverless-offline), connections mongo/cassandra/dynamodb',
    );
    for (const s of samples.filter((x) => x.second % 10 === 0)) {
      console.log(
        `${s.second}\t${s.workers}\t${s.rssMb.toFixed(0)} / ${s.offlineRssMb.toFixed(0)}\t${s.connections.mongo}/${s.connections.cassandra}/${s.connections.dynamodb}`,
      );
    }
    return checks;
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const startedAt = performance.now();
  const stackEnv = await startStack();
  const stamp = `load_${Date.now()}`;
  const env: Record<string, string> = {
    ...stackEnv,
    MONGODB_URL: withDatabase(stackEnv.MONGODB_URL as string, `plp_${stamp}`),
    CASSANDRA_KEYSPACE: `plp_${stamp}`,
    // Per-request logging would otherwise be a good part of what is measured (BENCH_LOG_LEVEL=info
    // logs every request, with its duration and whether it was its instance's cold start).
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    ...drivenServerSettings(),
  };
  Object.assign(process.env, env);
  resetConfig();
  await syncIndexesAt(env.MONGODB_URL as string);
  await migrateWith(env);
  const fixture = await seed();
  const list = routes(fixture).filter(
    (route) => ROUTE_FILTER.length === 0 || ROUTE_FILTER.some((part) => route.name.includes(part)),
  );
  const tokens = fixture.studentTokens;
  console.log(
    `fixture: ${STUDENTS} students and a teacher, channel ${fixture.channelId} with ${HISTORY_MESSAGES} messages, test ${fixture.testId} with ${QUESTIONS} questions (${((performance.now() - startedAt) / 1000).toFixed(0)} s)`,
  );

  // In-process first, while nothing else runs. One client per engine in this process, with a
  // Mongo pool as large as the concurrency: each HTTP request has a Lambda instance (and its pool)
  // of its own, so a shared pool of 2 here would measure queueing, not the storage calls.
  const configuredPool = process.env.MONGODB_MAX_POOL_SIZE;
  process.env.MONGODB_MAX_POOL_SIZE = String(Math.max(...CONNECTION_COUNTS));
  resetConfig();
  const inProcess = new Map<string, InProcessRun>();
  for (const route of list) {
    for (const connections of CONNECTION_COUNTS) {
      const op = (loop: number) => route.inProcess(tokens[loop % tokens.length] as string);
      await inProcessLoad(connections, 1, op);
      inProcess.set(
        `${route.name}@${connections}`,
        await inProcessLoad(connections, INPROCESS_SECONDS, op),
      );
    }
  }
  // Blank is unset for lib/config and serverless.yml: the offline workers get the default.
  process.env.MONGODB_MAX_POOL_SIZE = configuredPool ?? '';
  await closeMongo();
  resetConfig();

  const loadChecks = await measureLoad(env, list, tokens, inProcess);
  // A run narrowed by BENCH_LOAD_ROUTES says so, and is no proof of the whole item.
  const narrowed = ROUTE_FILTER.length ? ` (only routes matching ${ROUTE_FILTER.join(', ')})` : '';
  reportChecks(
    'load',
    `Warm latency and throughput through serverless-offline${narrowed}`,
    loadChecks.map((check) => ({ ...check, name: `${check.name}${narrowed}` })),
  );

  if (RUN_MIXED) {
    const connectionChecks = await measureConnections(env, list, tokens);
    reportChecks(
      'connections',
      'Open connections and RSS during a mixed load run',
      connectionChecks,
    );
  }

  await withMongo((db) => db.connection.dropDatabase());
  await withCassandra((client) => client.execute(`DROP KEYSPACE IF EXISTS plp_${stamp}`));
  await Promise.all([closeMongo(), closeCassandra()]);
  closeDynamo();
  console.log(`\nverify:load took ${((performance.now() - startedAt) / 1000).toFixed(0)} s`);
}

main().then(
  () => process.exit(),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
