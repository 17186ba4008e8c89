/**
 * npm run bench:realtime: the live chat's delivery through serverless-offline's WebSocket API, on
 * the local stack, with real sockets.
 *
 * A teacher and STUDENTS students register over HTTP and share a workspace with two channels:
 * "live", to which every open connection subscribes, and "quiet", which nobody subscribes to. The
 * connections are opened in steps (1, 10, 100, 1000: BENCH_REALTIME_SUBSCRIBERS), student i % 50
 * owning connection i, so 1000 is 50 users × 20 connections. At each step, after a warm-up message:
 *   delivery latency: from POST /api/messages answered to message.created received, for every
 *     subscriber of every message (messages one at a time, the next only once the previous fan-out
 *     has logged its end and every subscriber has the event, then SPACING_MS of quiet);
 *   the fan-out's own figures, from its log line "fan-out" (sent, durationMs): events/s per
 *     invocation, and the same from the client side (subscribers / last arrival after the answer).
 * At the largest step, the sender's cost: POST /api/messages to "live" and to "quiet" alternately
 * (each after the previous fan-out ended), p50 over p50 (goal <= SENDER_RATIO_GOAL).
 *
 * Data lives in the stack's shared database, as the e2e tests' does: subscriptions are keyed by
 * channel id in the shared DynamoDB table, so the channels need ids no other database hands out.
 * At the end serverless-offline is stopped and the connections' records are removed.
 * Prints a table and a markdown section for bench/RESULTS.md, and writes its checks (JSON) to
 * the git-ignored .local/verify/ folder, beside serverless-offline's output.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { percentile } from '../harness/latency';
import { resetConfig } from '../lib/config';
import { closeCassandra } from '../lib/db/cassandra';
import { closeDynamo } from '../lib/db/dynamo';
import { closeMongo } from '../lib/db/mongo';
import { channelSubscribers, forgetConnection } from '../lib/realtime/connections';
import { drivenServerSettings, type OfflineServer, startOffline } from '../scripts/offline-server';
import { startStack } from '../scripts/stack';
import { type Check, reportChecks, verifyDir } from './report';

const SUBSCRIBER_COUNTS = (process.env.BENCH_REALTIME_SUBSCRIBERS ?? '1,10,100,1000')
  .split(',')
  .map(Number);
if (SUBSCRIBER_COUNTS.some((n) => !Number.isSafeInteger(n) || n < 1)) {
  throw new Error('BENCH_REALTIME_SUBSCRIBERS must be positive integers, e.g. 1,10,100,1000');
}
const STUDENTS = 50;
/** Measured messages per step (after one warm-up message); at the largest, pairs with "quiet". */
const messagesAt = (subscribers: number) => (subscribers >= 100 ? 12 : 20);
/** Quiet after each fan-out before the next message. */
const SPACING_MS = 200;
const DELIVERY_TIMEOUT_MS = 30_000;
/** Connections opened (and subscribed) at once: each is two Lambda invocations. */
const OPEN_CONCURRENCY = 10;
/** Longer than the run: no worker is ended (and cold-started again) mid-run. */
const IDLE_WORKER_SECONDS = 1800;
const SENDER_RATIO_GOAL = 1.2;
const TEACHER_CODE = 'bench-realtime-teacher-code';
const PASSWORD = 'bench realtime password';
const offlineLog = join(verifyDir, 'realtime-offline.log');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(value < 10 ? 1 : 0) : '-');
const p = (values: number[], q: number) =>
  values.length
    ? percentile(
        [...values].sort((a, b) => a - b),
        q,
      )
    : Number.NaN;

// ---------------------------------------------------------------------------------------------
// HTTP

interface Reply {
  status: number;
  body: Record<string, unknown>;
  sid?: string;
  /** When the answer was read (performance.now()). */
  answeredAt: number;
  ms: number;
}

async function call(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  sid?: string,
): Promise<Reply> {
  const started = performance.now();
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(sid ? { cookie: `sid=${sid}` } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  const answeredAt = performance.now();
  const cookie = response.headers
    .getSetCookie()
    .map((c) => /^sid=([^;]+)/.exec(c)?.[1])
    .find(Boolean);
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    ...(cookie ? { sid: cookie } : {}),
    answeredAt,
    ms: answeredAt - started,
  };
}

async function expectStatus(reply: Promise<Reply>, status: number, what: string): Promise<Reply> {
  const r = await reply;
  if (r.status !== status) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r;
}

/** Runs `work` over 0..count-1, at most `limit` at a time. */
async function bounded(count: number, limit: number, work: (i: number) => Promise<void>) {
  let next = 0;
  const lane = async () => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, lane));
}

// ---------------------------------------------------------------------------------------------
// Data

interface Fixture {
  teacherSid: string;
  studentSids: string[];
  live: number;
  quiet: number;
}

async function seed(url: string): Promise<Fixture> {
  const stamp = Date.now().toString(36);
  const register = async (name: string, extra: Record<string, unknown>) => {
    const username = `rt${name}${stamp}`.slice(0, 32);
    const reply = await expectStatus(
      call(url, 'POST', '/api/auth/register', {
        username,
        password: PASSWORD,
        name: `Realtime ${name}`,
        email: `${username}@example.test`,
        ...extra,
      }),
      201,
      `register ${name}`,
    );
    if (!reply.sid) throw new Error(`register ${name}: no session cookie`);
    return { id: reply.body.id as number, sid: reply.sid };
  };
  const teacher = await register('t', { role: 'teacher', teacherCode: TEACHER_CODE });
  const students: { id: number; sid: string }[] = [];
  await bounded(STUDENTS, 5, async (i) => {
    students[i] = await register(`s${i}`, { class: 'RT-7B' });
  });
  const workspace = await expectStatus(
    call(url, 'POST', '/api/workspaces', { name: 'Realtime bench' }, teacher.sid),
    201,
    'create workspace',
  );
  const workspaceId = workspace.body.id as number;
  // One at a time: FerretDB runs the member update as a read then a write, so concurrent adds
  // to one workspace lose members (MongoDB applies each atomically).
  for (const student of students) {
    await expectStatus(
      call(
        url,
        'POST',
        `/api/workspaces/${workspaceId}/members`,
        { userId: student.id },
        teacher.sid,
      ),
      200,
      'add member',
    );
  }
  const channel = async (name: string) =>
    (
      await expectStatus(
        call(
          url,
          'POST',
          `/api/workspaces/${workspaceId}/channels`,
          { name, type: 'text' },
          teacher.sid,
        ),
        201,
        `create channel ${name}`,
      )
    ).body.id as number;
  return {
    teacherSid: teacher.sid,
    studentSids: students.map((s) => s.sid),
    live: await channel('live'),
    quiet: await channel('quiet'),
  };
}

// ---------------------------------------------------------------------------------------------
// WebSocket connections

/** Arrival times (performance.now()) of message.created events, by message id. */
const arrivals = new Map<string, number[]>();
let onArrival: (() => void) | undefined;

function openConnection(webSocketUrl: string, sid: string, liveChannel: number) {
  return new Promise<WebSocket>((resolve, reject) => {
    const socket = new WebSocket(webSocketUrl, { headers: { cookie: `sid=${sid}` } });
    const timer = setTimeout(() => reject(new Error('connect + subscribe timed out')), 60_000);
    socket.once('error', reject);
    socket.once('unexpected-response', (_request, response) =>
      reject(new Error(`upgrade refused: ${response.statusCode}`)),
    );
    socket.once('open', () =>
      socket.send(JSON.stringify({ action: 'subscribe', channelId: liveChannel })),
    );
    socket.on('message', (data) => {
      const at = performance.now();
      const event = JSON.parse(String(data)) as {
        type: string;
        channelId?: number;
        message?: { id: string };
      };
      if (event.type === 'message.created' && event.message) {
        const list = arrivals.get(event.message.id) ?? [];
        list.push(at);
        arrivals.set(event.message.id, list);
        onArrival?.();
      } else if (event.type === 'subscribed' && event.channelId === liveChannel) {
        clearTimeout(timer);
        resolve(socket);
      } else if (event.type === 'error') {
        clearTimeout(timer);
        reject(new Error(`subscribe failed: ${String(data)}`));
      }
    });
  });
}

/** Resolves when message `id` has reached `count` connections; false after the timeout. */
function delivered(id: string, count: number): Promise<boolean> {
  return new Promise((resolve) => {
    const check = () => {
      if ((arrivals.get(id)?.length ?? 0) >= count) {
        clearTimeout(timer);
        onArrival = undefined;
        resolve(true);
      }
    };
    const timer = setTimeout(() => {
      onArrival = undefined;
      resolve(false);
    }, DELIVERY_TIMEOUT_MS);
    onArrival = check;
    check();
  });
}

// ---------------------------------------------------------------------------------------------
// The fan-out function's log lines

interface FanOutLine {
  channelId: number;
  subscribers: number;
  sent: number;
  gone: number;
  failed: number;
  durationMs: number;
}

function fanOutLog(server: OfflineServer) {
  const lines: FanOutLine[] = [];
  // A chunk may end mid-line: each stream keeps its unfinished line for the next chunk.
  const reader = () => {
    let partial = '';
    return (chunk: Buffer) => {
      const all = (partial + chunk.toString()).split('\n');
      partial = all.pop() ?? '';
      for (const line of all) {
        const start = line.indexOf('{"level"');
        if (start < 0 || !line.includes('"message":"fan-out"')) continue;
        lines.push(JSON.parse(line.slice(start)) as FanOutLine);
      }
    };
  };
  server.child.stdout?.on('data', reader());
  server.child.stderr?.on('data', reader());
  return {
    /** How many lines so far: pass it to `next` to wait for one logged after now. */
    mark: () => lines.length,
    /** The first fan-out line of `channelId` from index `from` on. */
    async next(channelId: number, from: number): Promise<FanOutLine | undefined> {
      const deadline = performance.now() + DELIVERY_TIMEOUT_MS;
      while (performance.now() < deadline) {
        const line = lines.slice(from).find((l) => l.channelId === channelId);
        if (line) return line;
        await sleep(5);
      }
      return undefined;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Measuring

interface Send {
  postMs: number;
  /** Arrival minus answer, per subscriber (ms). */
  latencies: number[];
  missing: number;
  fanOut?: FanOutLine;
  /** Subscribers / (last arrival - answer), events/s. */
  clientRate: number;
}

async function send(
  url: string,
  log: ReturnType<typeof fanOutLog>,
  sid: string,
  channelId: number,
  subscribers: number,
  content: string,
): Promise<Send> {
  const from = log.mark();
  const reply = await expectStatus(
    call(url, 'POST', '/api/messages', { channelId, content }, sid),
    201,
    'POST /api/messages',
  );
  const id = String(reply.body.id);
  // A timeout shows as missing events below.
  if (subscribers > 0) await delivered(id, subscribers);
  const fanOut = await log.next(channelId, from);
  const times = arrivals.get(id) ?? [];
  arrivals.delete(id);
  await sleep(SPACING_MS);
  const latencies = times.map((t) => t - reply.answeredAt);
  const last = Math.max(...latencies);
  return {
    postMs: reply.ms,
    latencies,
    missing: subscribers - times.length,
    ...(fanOut ? { fanOut } : {}),
    clientRate: times.length ? (times.length / Math.max(last, 0.001)) * 1000 : Number.NaN,
  };
}

interface Step {
  subscribers: number;
  sends: Send[];
  /** The same number of sends to the channel nobody subscribes to, alternated (largest step). */
  quiet: Send[];
  openSeconds: number;
}

function machine(): string {
  const model = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1];
  return `${model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.versions.node}`;
}

function openFilesLimit(): number {
  const match = /Max open files\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'));
  return match ? Number(match[1]) : Number.POSITIVE_INFINITY;
}

async function main(): Promise<void> {
  const startedAt = performance.now();
  const largest = Math.max(...SUBSCRIBER_COUNTS);
  // This process holds one socket per connection (serverless-offline, another process, the other).
  const limit = openFilesLimit();
  if (limit < largest + 200) {
    throw new Error(`ulimit -n is ${limit}: ${largest} connections need about ${largest + 200}`);
  }
  const stackEnv = await startStack();
  const env: Record<string, string> = {
    ...stackEnv,
    // The fan-out's "fan-out" line (info) carries its figures; every request logs a line too.
    LOG_LEVEL: 'info',
    ...drivenServerSettings(TEACHER_CODE),
  };
  Object.assign(process.env, stackEnv);
  resetConfig();
  let server: OfflineServer | undefined;
  const sockets: WebSocket[] = [];
  const steps: Step[] = [];
  let fixture: Fixture | undefined;
  try {
    const serverStarted = performance.now();
    server = await startOffline(env, {
      idleWorkerSeconds: IDLE_WORKER_SECONDS,
      logFile: offlineLog,
    });
    console.log(
      `serverless-offline ready in ${((performance.now() - serverStarted) / 1000).toFixed(0)} s`,
    );
    const { url, webSocketUrl } = server;
    const log = fanOutLog(server);
    fixture = await seed(url);
    const { teacherSid, studentSids, live, quiet } = fixture;
    console.log(
      `fixture: a teacher and ${STUDENTS} students, channels ${live} (live) and ${quiet} (quiet) (${((performance.now() - startedAt) / 1000).toFixed(0)} s)`,
    );
    let counter = 0;
    const text = () => {
      counter += 1;
      return `realtime bench message ${counter}: ${'lorem ipsum '.repeat(8)}`;
    };
    // The quiet channel's path warm first (its fan-out finds nobody).
    await send(url, log, teacherSid, quiet, 0, text());

    for (const subscribers of SUBSCRIBER_COUNTS) {
      const opening = performance.now();
      const before = sockets.length;
      await bounded(subscribers - before, OPEN_CONCURRENCY, async (k) => {
        const index = before + k;
        sockets[index] = await openConnection(
          webSocketUrl,
          studentSids[index % STUDENTS] as string,
          live,
        );
      });
      const openSeconds = (performance.now() - opening) / 1000;
      console.log(
        `${subscribers} connections open and subscribed (+${subscribers - before} in ${openSeconds.toFixed(1)} s)`,
      );
      await send(url, log, teacherSid, live, subscribers, text()); // warm-up
      const step: Step = { subscribers, sends: [], quiet: [], openSeconds };
      const pairs = subscribers === largest;
      for (let i = 0; i < messagesAt(subscribers); i += 1) {
        // Alternating which goes first, so a drift over the run weighs on both sides alike.
        if (pairs && i % 2 === 1)
          step.quiet.push(await send(url, log, teacherSid, quiet, 0, text()));
        step.sends.push(await send(url, log, teacherSid, live, subscribers, text()));
        if (pairs && i % 2 === 0)
          step.quiet.push(await send(url, log, teacherSid, quiet, 0, text()));
      }
      steps.push(step);
      const all = step.sends.flatMap((s) => s.latencies);
      console.log(
        `  delivery p50 ${ms(p(all, 0.5))} ms, p99 ${ms(p(all, 0.99))} ms; POST p50 ${ms(
          p(
            step.sends.map((s) => s.postMs),
            0.5,
          ),
        )} ms; missing ${step.sends.reduce((a, s) => a + s.missing, 0)}`,
      );
    }
    report(steps, (performance.now() - startedAt) / 1000);
  } finally {
    // Stopped first: 1000 $disconnect invocations at once would only load the machine. The records
    // they would have removed are removed here instead.
    await server?.stop();
    for (const socket of sockets) socket?.terminate();
    if (fixture) await forgetSubscribers(fixture.live);
    await Promise.all([closeMongo(), closeCassandra()]);
    closeDynamo();
  }
}

/** Removes the connection records of the channel's subscribers, a few at a time. */
async function forgetSubscribers(channelId: number): Promise<void> {
  const ids: string[] = [];
  for await (const page of channelSubscribers(channelId))
    ids.push(...page.map((s) => s.connectionId));
  await bounded(ids.length, OPEN_CONCURRENCY, async (i) => {
    await forgetConnection(ids[i] as string);
  });
  console.log(`removed the records of ${ids.length} connections`);
}

function report(steps: Step[], seconds: number): void {
  const rows = steps.map((step) => {
    const latencies = step.sends.flatMap((s) => s.latencies);
    const lines = step.sends.flatMap((s) => (s.fanOut ? [s.fanOut] : []));
    const logRates = lines.map((l) => (l.sent / Math.max(l.durationMs, 1)) * 1000);
    return {
      step,
      latencies,
      lines,
      p50: p(latencies, 0.5),
      p99: p(latencies, 0.99),
      max: Math.max(...latencies),
      post: p(
        step.sends.map((s) => s.postMs),
        0.5,
      ),
      fanOutMs: p(
        lines.map((l) => l.durationMs),
        0.5,
      ),
      logRate: p(logRates, 0.5),
      clientRate: p(
        step.sends.map((s) => s.clientRate),
        0.5,
      ),
      missing: step.sends.reduce((a, s) => a + s.missing, 0),
      failedSends: lines.reduce((a, l) => a + l.failed + l.gone, 0),
      unlogged: step.sends.length - lines.length,
    };
  });
  const header =
    '| subscribers | messages | delivery p50 ms | delivery p99 ms | max ms | POST /api/messages p50 ms | fan-out durationMs p50 | events/s per fan-out (its log) | events/s (client side) | missing events |\n|---|---|---|---|---|---|---|---|---|---|';
  const table = [
    header,
    ...rows.map(
      (r) =>
        `| ${r.step.subscribers} | ${r.step.sends.length} | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.max)} | ${ms(r.post)} | ${ms(r.fanOutMs)} | ${r.logRate.toFixed(0)} | ${r.clientRate.toFixed(0)} | ${r.missing} |`,
    ),
  ].join('\n');
  console.log(`\n${table}`);

  const largest = rows.at(-1);
  const checks: Check[] = rows.map((r) => ({
    name: `every subscriber gets every message at ${r.step.subscribers} subscribers`,
    ok: r.missing === 0 && r.failedSends === 0 && r.unlogged === 0,
    detail: `${r.step.sends.length} messages × ${r.step.subscribers}: ${r.missing} missing, ${r.failedSends} failed or gone sends, ${r.unlogged} fan-outs without a log line; delivery p50 ${ms(r.p50)} ms, p99 ${ms(r.p99)} ms; fan-out ${r.logRate.toFixed(0)} events/s (log), ${r.clientRate.toFixed(0)} (client)`,
  }));
  let ratioText = 'not measured';
  if (largest?.step.quiet.length) {
    const quietP50 = p(
      largest.step.quiet.map((s) => s.postMs),
      0.5,
    );
    const ratio = largest.post / quietP50;
    ratioText = `${ratio.toFixed(2)} (p50 ${ms(largest.post)} ms with ${largest.step.subscribers} subscribers, ${ms(quietP50)} ms with 0; ${largest.step.sends.length} + ${largest.step.quiet.length} sends, alternated)`;
    console.log(
      `\nsender's cost, POST /api/messages p50 at ${largest.step.subscribers} / at 0 subscribers: ${ratioText}`,
    );
    checks.push({
      name: `sender's cost: POST /api/messages p50 at ${largest.step.subscribers} subscribers / at 0 <= ${SENDER_RATIO_GOAL}`,
      ok: ratio <= SENDER_RATIO_GOAL,
      detail: ratioText,
    });
  }
  const opened = steps
    .map((s) => `up to ${s.subscribers} in ${s.openSeconds.toFixed(1)} s`)
    .join(', ');
  const markdown = [
    `### Live chat delivery (\`npm run bench:realtime\`), ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `${machine()}; serverless-offline with LOG_LEVEL=info, FAN_OUT_CONCURRENCY ${process.env.FAN_OUT_CONCURRENCY || 'default (50)'}; run took ${seconds.toFixed(0)} s (time to open and subscribe each step's new connections: ${opened}).`,
    '',
    table,
    '',
    `Sender's cost (POST /api/messages p50 at the largest step over p50 to a channel with no subscribers, alternated): ${ratioText}.`,
    '',
  ].join('\n');
  // For bench/RESULTS.md, printed rather than written to a file of its own.
  console.log(`\n${markdown}\nserverless-offline output: ${offlineLog}`);
  reportChecks('realtime', 'Live chat delivery over the WebSocket API', checks);
}

main().then(
  () => process.exit(),
  (error: unknown) => {
    console.error('bench:realtime failed:', error);
    process.exit(1);
  },
);
