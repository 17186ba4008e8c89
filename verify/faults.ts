/**
 * npm run verify:faults (issue 7, item 4): a steady mixed load through serverless-offline while
 * FerretDB (mongo), Cassandra and dynalite are each stopped for a while and restarted, one at a
 * time, without restarting serverless-offline.
 *
 * Load: a few loops, each sending one request at a time at a fixed pace (client timeout 20 s, so
 * a hang shows up as a hang): message sends, history pages, logins, and an unknown /api path as a
 * control that needs no engine. What each route needs, read from the code:
 *   POST /api/auth/login             dynamodb (throttle counters, new session), mongo (the user)
 *   POST /api/messages               dynamodb (session; worker lease when due), mongo (channel and
 *                                    workspace membership), cassandra (the message)
 *   GET  /api/channels/:id/messages  dynamodb (session), mongo (membership), cassandra (history)
 *   GET  /api/<unknown>              nothing (a JSON 404)
 *
 * Phases per engine: "stopping" (stopStack running), "down" (stopped, before the restart starts),
 * "starting" (startStack running: process up, schema/tables/indexes applied), "after" (until the
 * next engine is stopped). A request counts for a phase by when it started; a request counts as
 * "while down" only when it started and finished inside the down phase.
 *
 * Checks: no request over 5 s; while an engine is down, every request of a route that needs it
 * answers 503 and nothing else (a 2xx would mean it was served without the engine, e.g. a message
 * written elsewhere) and the routes that do not need it keep succeeding; each route that needs the
 * engine answers 2xx again after the restart, and keeps doing so; no 5xx other than 503 and no
 * transport error at any time; every message acknowledged with 201 is in its channel's history
 * afterwards, with its content.
 */

import { join } from 'node:path';
import { drivenServerSettings, type OfflineServer, startOffline } from '../scripts/offline-server';
import { localEngines, stackStatus, startStack, stopStack } from '../scripts/stack';
import { type EngineName, stackSettings } from '../scripts/stack/settings';
import { type Check, reportChecks, verifyDir } from './report';

/** Longer than the slowest acceptable answer, so a hang is measured as one rather than cut short. */
const CLIENT_TIMEOUT_MS = 20_000;
const HANG_MS = 5_000;
/** How long each engine stays down. */
const DOWN_MS = Number(process.env.FAULTS_DOWN_MS ?? 12_000);
/** Load before the first outage and after each recovery, so every phase has a steady reference. */
const STEADY_MS = Number(process.env.FAULTS_STEADY_MS ?? 8_000);
/** A route that has not answered 2xx within this after its engine's restart has not recovered. */
const RECOVERY_LIMIT_MS = 60_000;
/** Each loop starts its next request this long after the previous one started (or at once if late). */
const PACE_MS = 200;
const CHANNELS = 4;
const TEACHER_CODE = 'faults-teacher-code';
const PASSWORD = 'correct horse battery';

type RouteName = 'send' | 'history' | 'login' | 'control';
const ROUTE_LABEL: Record<RouteName, string> = {
  send: 'POST /api/messages',
  history: 'GET /api/channels/:id/messages',
  login: 'POST /api/auth/login',
  control: 'GET /api/<unknown> (404)',
};
/** The engines each route needs (see the header comment for where that comes from). */
const NEEDS: Record<RouteName, EngineName[]> = {
  send: ['dynamodb', 'mongo', 'cassandra'],
  history: ['dynamodb', 'mongo', 'cassandra'],
  login: ['dynamodb', 'mongo'],
  control: [],
};
/** The answer a route gives when everything works. */
const OK_STATUS: Record<RouteName, number> = { send: 201, history: 200, login: 200, control: 404 };
/** Loops per route: sends and history reads dominate, as in the real app. */
const LOOPS: Record<RouteName, number> = { send: 3, history: 2, login: 1, control: 1 };
const OUTAGE_ORDER: EngineName[] = ['mongo', 'cassandra', 'dynamodb'];
/** FAULTS_ENGINES=cassandra (comma-separated) stops only those, e.g. to look into one outage. */
const ONLY_ENGINES = process.env.FAULTS_ENGINES?.split(',').map((e) => e.trim());
/** serverless-offline's output (its error logs say why a request failed), for reading afterwards. */
const OFFLINE_LOG = join(verifyDir, 'faults-offline.log');
/** Failures (relapses, unexplained 5xx) named one by one in a check's detail; the rest are counted. */
const FAILURES_SHOWN = 5;

interface Sample {
  route: RouteName;
  startedAt: number;
  ms: number;
  /** HTTP status, or 0 for a transport error or client timeout. */
  status: number;
  error?: string;
  /** The invocation id an error body names: its line in the server log says why it failed. */
  requestId?: string;
}

interface Phase {
  name: string;
  engine?: EngineName;
  kind: 'baseline' | 'stopping' | 'down' | 'starting' | 'after';
  from: number;
  to: number;
}

interface Reply {
  status: number;
  body: unknown;
  setCookie: string[];
}

/** One JSON request with the client timeout; `cookie` is the session cookie to send, if any. */
async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  cookie?: string,
): Promise<Reply> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(cookie ? { cookie } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
  });
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  return {
    status: response.status,
    body: text && type.includes('json') ? JSON.parse(text) : text,
    setCookie: response.headers.getSetCookie(),
  };
}

function sessionCookie(reply: Reply): string {
  const sid = reply.setCookie.map((c) => c.split(';')[0] ?? '').find((c) => c.startsWith('sid='));
  if (!sid) throw new Error(`no session cookie in the reply (status ${reply.status})`);
  return sid;
}

async function expectStatus(reply: Promise<Reply>, status: number, what: string): Promise<Reply> {
  const answer = await reply;
  if (answer.status !== status)
    throw new Error(
      `${what}: expected ${status}, got ${answer.status} ${JSON.stringify(answer.body)}`,
    );
  return answer;
}

/** A workspace member the load acts as; `cookie` is replaced when the session is gone. */
interface Member {
  username: string;
  cookie: string;
}

interface Fixture {
  /** One member per send or history loop, so a loop that signs in again affects no other. */
  members: Member[];
  channelIds: number[];
  /** A user the login loop signs in as. */
  loginUsername: string;
}

/** A teacher, some students, one workspace with all of them and a few text channels. */
async function setUp(base: string): Promise<Fixture> {
  const tag = `f${Date.now().toString(36)}`;
  const register = async (username: string, extra: Record<string, unknown> = {}) => {
    const reply = await expectStatus(
      call(base, 'POST', '/api/auth/register', {
        username,
        password: PASSWORD,
        name: username,
        email: `${username}@example.test`,
        ...extra,
      }),
      201,
      `register ${username}`,
    );
    return { username, cookie: sessionCookie(reply), id: (reply.body as { id: number }).id };
  };
  const teacher = await register(`${tag}t`, { role: 'teacher', teacherCode: TEACHER_CODE });
  const workspace = await expectStatus(
    call(base, 'POST', '/api/workspaces', { name: `faults ${tag}` }, teacher.cookie),
    201,
    'create workspace',
  );
  const workspaceId = (workspace.body as { id: number }).id;
  const members: Member[] = [teacher];
  while (members.length < LOOPS.send + LOOPS.history) {
    const student = await register(`${tag}s${members.length}`);
    await expectStatus(
      call(
        base,
        'POST',
        `/api/workspaces/${workspaceId}/members`,
        { userId: student.id },
        teacher.cookie,
      ),
      200,
      'add member',
    );
    members.push(student);
  }
  const channelIds: number[] = [];
  for (let i = 0; i < CHANNELS; i += 1) {
    const channel = await expectStatus(
      call(
        base,
        'POST',
        `/api/workspaces/${workspaceId}/channels`,
        { name: `load-${i}`, type: 'text' },
        teacher.cookie,
      ),
      201,
      'create channel',
    );
    channelIds.push((channel.body as { id: number }).id);
  }
  const loginUser = await register(`${tag}l`);
  return { members, channelIds, loginUsername: loginUser.username };
}

const login = (base: string, username: string) =>
  call(base, 'POST', '/api/auth/login', { username, password: PASSWORD });

interface Acknowledged {
  id: string;
  channelId: number;
  content: string;
}

/** The load: LOOPS[route] loops per route, each one request at a time at PACE_MS. */
function runLoad(base: string, fixture: Fixture) {
  const samples: Sample[] = [];
  const acknowledged: Acknowledged[] = [];
  /** Sends that did not get a 201: they may or may not have been stored (not a loss either way). */
  const unacknowledged: { channelId: number; content: string }[] = [];
  let running = true;
  let sequence = 0;
  let relogins = 0;

  const request = async (route: RouteName, member: Member | undefined): Promise<void> => {
    const cookie = member?.cookie;
    const channelId = fixture.channelIds[sequence % fixture.channelIds.length] as number;
    sequence += 1;
    const startedAt = performance.now();
    const sample: Sample = { route, startedAt, ms: 0, status: 0 };
    let sent: { channelId: number; content: string } | undefined;
    try {
      let reply: Reply;
      if (route === 'send') {
        sent = { channelId, content: `faults ${member?.username} ${sequence} ${Date.now()}` };
        reply = await call(base, 'POST', '/api/messages', sent, cookie);
      } else if (route === 'history') {
        reply = await call(
          base,
          'GET',
          `/api/channels/${channelId}/messages?limit=50`,
          undefined,
          cookie,
        );
      } else if (route === 'login') {
        reply = await login(base, fixture.loginUsername);
      } else {
        reply = await call(base, 'GET', '/api/faults-no-such-route');
      }
      sample.status = reply.status;
      if (reply.status >= 400 && typeof reply.body === 'object' && reply.body !== null) {
        sample.requestId = (reply.body as { requestId?: string }).requestId;
      }
      // dynalite keeps its tables in memory: its restart ends every session, as a user would see
      // it after a real session loss, so the loop signs in again (counted) and carries on.
      if (reply.status === 401 && member) {
        relogins += 1;
        const again = await login(base, member.username);
        if (again.status === 200) member.cookie = sessionCookie(again);
      }
      if (sent) {
        if (reply.status === 201) {
          const message = reply.body as { id: string; content: string; channelId: number };
          acknowledged.push({
            id: message.id,
            channelId: message.channelId,
            content: message.content,
          });
        } else unacknowledged.push(sent);
      }
    } catch (error) {
      // A client timeout or a refused connection to serverless-offline: recorded as status 0 and
      // failed by the checks, never retried or hidden.
      sample.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      if (sent) unacknowledged.push(sent);
    }
    sample.ms = performance.now() - startedAt;
    samples.push(sample);
  };

  const loop = async (route: RouteName, member: Member | undefined) => {
    while (running) {
      const started = performance.now();
      await request(route, member);
      const wait = PACE_MS - (performance.now() - started);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  };
  const members = [...fixture.members];
  const loops = (Object.keys(LOOPS) as RouteName[]).flatMap((route) =>
    Array.from({ length: LOOPS[route] }, () =>
      loop(route, route === 'send' || route === 'history' ? members.shift() : undefined),
    ),
  );
  return {
    samples,
    acknowledged,
    unacknowledged,
    relogins: () => relogins,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** Every message of a channel, paging back from the newest with `before`. */
async function fullHistory(base: string, cookie: string, channelId: number) {
  const messages: { id: string; content: string }[] = [];
  let before: string | undefined;
  for (;;) {
    const query = `limit=100${before ? `&before=${before}` : ''}`;
    const reply = await expectStatus(
      call(base, 'GET', `/api/channels/${channelId}/messages?${query}`, undefined, cookie),
      200,
      `history of channel ${channelId}`,
    );
    const page = reply.body as { id: string; content: string }[];
    messages.push(...page);
    if (page.length < 100) return messages;
    before = (page[0] as { id: string }).id;
  }
}

interface Stall {
  at: number;
  ms: number;
}

/**
 * Times this process (the load generator) was frozen: a 50 ms timer that fires late. Seen in the
 * same moments as slow requests, a stall says the whole machine paused (e.g. starved by an
 * engine's start), not the backend.
 */
function watchStalls(thresholdMs = 500) {
  const found: Stall[] = [];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    if (now - last - 50 > thresholdMs) found.push({ at: last, ms: now - last - 50 });
    last = now;
  }, 50);
  return { found, stop: () => clearInterval(timer) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms: number) => (ms / 1000).toFixed(1);

/**
 * Waits until every route that needs `engine` has answered its success status for a request
 * started after `since`; returns when each did (performance.now() time), or undefined past the limit.
 */
async function waitForRecovery(
  samples: Sample[],
  engine: EngineName,
  since: number,
): Promise<Map<RouteName, number | undefined>> {
  const routes = (Object.keys(NEEDS) as RouteName[]).filter((r) => NEEDS[r].includes(engine));
  const firstSuccess = () =>
    new Map(
      routes.map((route) => [
        route,
        samples.find(
          (s) => s.route === route && s.startedAt >= since && s.status === OK_STATUS[route],
        )?.startedAt,
      ]),
    );
  const deadline = since + RECOVERY_LIMIT_MS;
  while (performance.now() < deadline) {
    const found = firstSuccess();
    if ([...found.values()].every((t) => t !== undefined)) return found;
    await sleep(250);
  }
  return firstSuccess();
}

async function main(): Promise<void> {
  const userEnv = { ...process.env };
  const local = new Set(localEngines(stackSettings(userEnv)).map((e) => e.name));
  const engines = OUTAGE_ORDER.filter(
    (engine) => local.has(engine) && (!ONLY_ENGINES || ONLY_ENGINES.includes(engine)),
  );
  const runStarted = performance.now();
  const stackEnv = await startStack();
  for (const report of await stackStatus(userEnv)) {
    if (local.has(report.engine) && report.state !== 'running' && report.state !== 'started')
      throw new Error(`${report.engine} is ${report.state}: not this checkout's engine to stop`);
  }
  let server: OfflineServer | undefined;
  const phases: Phase[] = [];
  const recoveries: {
    engine: EngineName;
    startMs: number;
    fromStartBegun: Map<RouteName, number | undefined>;
    fromStartDone: Map<RouteName, number | undefined>;
    recoveredAt?: number;
  }[] = [];
  let load: ReturnType<typeof runLoad> | undefined;
  let stalls: ReturnType<typeof watchStalls> | undefined;
  /** serverless-offline's output as it came (OFFLINE_LOG has it with arrival times). */
  const offlineOutput: string[] = [];
  try {
    server = await startOffline(
      { ...stackEnv, LOG_LEVEL: 'error', ...drivenServerSettings(TEACHER_CODE) },
      { logFile: OFFLINE_LOG },
    );
    const base = server.url;
    const keepLog = (chunk: Buffer) => {
      offlineOutput.push(chunk.toString());
    };
    server.child.stdout?.on('data', keepLog);
    server.child.stderr?.on('data', keepLog);
    const fixture = await setUp(base);
    console.log(
      `fixture: ${fixture.members.length} members, channels ${fixture.channelIds.join(', ')}; load ${Object.entries(
        LOOPS,
      )
        .map(([r, n]) => `${n}x ${r}`)
        .join(', ')}, one request per loop every ${PACE_MS} ms`,
    );

    const mark = (phase: Omit<Phase, 'from' | 'to'>) => {
      const now = performance.now();
      const last = phases.at(-1);
      if (last) last.to = now;
      phases.push({ ...phase, from: now, to: Number.POSITIVE_INFINITY });
    };
    stalls = watchStalls();
    load = runLoad(base, fixture);
    mark({ name: 'baseline', kind: 'baseline' });
    await sleep(STEADY_MS);
    for (const engine of engines) {
      mark({ name: `${engine} stopping`, engine, kind: 'stopping' });
      await stopStack([engine], undefined, userEnv);
      mark({ name: `${engine} down`, engine, kind: 'down' });
      await sleep(DOWN_MS);
      mark({ name: `${engine} starting`, engine, kind: 'starting' });
      const startBegun = performance.now();
      await startStack({ only: [engine], env: userEnv });
      const startDone = performance.now();
      mark({ name: `after ${engine}`, engine, kind: 'after' });
      console.log(`${engine}: restart took ${seconds(startDone - startBegun)} s`);
      const firstSuccess = await waitForRecovery(load.samples, engine, startBegun);
      const since = (origin: number) =>
        new Map(
          [...firstSuccess].map(([route, at]) => [
            route,
            at === undefined ? undefined : Math.max(0, at - origin),
          ]),
        );
      const times = [...firstSuccess.values()];
      recoveries.push({
        engine,
        startMs: startDone - startBegun,
        fromStartBegun: since(startBegun),
        fromStartDone: since(startDone),
        ...(times.every((t) => t !== undefined) ? { recoveredAt: Math.max(...times) } : {}),
      });
      await sleep(STEADY_MS);
    }
    await load.stop();
    stalls.stop();
    const loadEnded = performance.now();
    const last = phases.at(-1);
    if (last) last.to = loadEnded;

    // Every acknowledged message must be readable afterwards, with the content it was sent with.
    const stored = new Map<string, { id: string; content: string; channelId: number }>();
    const reader = fixture.members[0] as Member;
    const cookie = sessionCookie(
      await expectStatus(login(base, reader.username), 200, 'sign in to read the histories'),
    );
    let duplicateIds = 0;
    for (const channelId of fixture.channelIds) {
      for (const message of await fullHistory(base, cookie, channelId)) {
        if (stored.has(message.id)) duplicateIds += 1;
        stored.set(message.id, { ...message, channelId });
      }
    }
    const lost = load.acknowledged.filter((ack) => {
      const found = stored.get(ack.id);
      return !found || found.content !== ack.content || found.channelId !== ack.channelId;
    });
    const storedContents = new Set([...stored.values()].map((m) => m.content));
    const unacknowledgedStored = load.unacknowledged.filter((u) => storedContents.has(u.content));
    const sentContents = new Set([
      ...load.acknowledged.map((a) => a.content),
      ...load.unacknowledged.map((u) => u.content),
    ]);
    const duplicatedSends = stored.size - storedContents.size;

    report({
      samples: load.samples,
      phases,
      recoveries,
      acknowledged: load.acknowledged.length,
      lost,
      stored: stored.size,
      duplicateIds,
      duplicatedSends,
      unacknowledged: load.unacknowledged.length,
      unacknowledgedStored: unacknowledgedStored.length,
      strays: [...storedContents].filter((c) => !sentContents.has(c)).length,
      relogins: load.relogins(),
      engines,
      totalSeconds: (performance.now() - runStarted) / 1000,
      // The offsets of OFFLINE_LOG count from the server's start.
      origin: server.startedAt,
      stalls: stalls.found,
      offlineOutput: offlineOutput.join(''),
    });
  } finally {
    // However the run ended, the load stops, offline stops, and every engine runs again.
    stalls?.stop();
    if (load) await load.stop();
    if (server) await server.stop();
    await startStack({ env: userEnv });
  }
}

interface Results {
  samples: Sample[];
  phases: Phase[];
  recoveries: {
    engine: EngineName;
    startMs: number;
    fromStartBegun: Map<RouteName, number | undefined>;
    fromStartDone: Map<RouteName, number | undefined>;
    recoveredAt?: number;
  }[];
  acknowledged: number;
  lost: Acknowledged[];
  stored: number;
  duplicateIds: number;
  duplicatedSends: number;
  unacknowledged: number;
  unacknowledgedStored: number;
  strays: number;
  relogins: number;
  engines: EngineName[];
  totalSeconds: number;
  /** performance.now() when serverless-offline was started: the offsets in OFFLINE_LOG count from it. */
  origin: number;
  stalls: Stall[];
  offlineOutput: string;
}

const statusLabel = (s: Sample) => (s.status === 0 ? 'error' : String(s.status));

type LoggedError = { name?: string; message?: string; cause?: LoggedError };
interface FailureLine {
  requestId?: string;
  status?: number;
  error?: LoggedError;
}

/**
 * The "request failed" lines of serverless-offline's output: the error middleware logs every 5xx
 * so (lib/http/middleware/error-mapper.ts), with the request id and the error's causes.
 */
function requestFailures(output: string): FailureLine[] {
  return output.split('\n').flatMap((line) => {
    const json = line.slice(line.indexOf('{'));
    if (!json.startsWith('{') || !json.includes('"request failed"')) return [];
    // Whole lines: the output is read joined, so no chunk boundary cuts one.
    return [JSON.parse(json) as FailureLine];
  });
}

/** Error names of the 5xx answers other than 503 that serverless-offline's functions logged. */
function serverErrorCauses(failures: FailureLine[]): Map<string, number> {
  const causes = new Map<string, number>();
  for (const entry of failures) {
    if (entry.status === undefined || entry.status === 503) continue;
    const name = entry.error?.name ?? 'unknown';
    causes.set(name, (causes.get(name) ?? 0) + 1);
  }
  return causes;
}

/** The server's log line of a failed request (found by the request id its error body names). */
function failureOf(failures: FailureLine[], sample: Sample): FailureLine | undefined {
  return failures.find((f) => f.requestId !== undefined && f.requestId === sample.requestId);
}

/** Why a failed request failed: the server's error and its causes, where the server logs one. */
function failureCause(failures: FailureLine[], sample: Sample): string {
  if (sample.error) return sample.error;
  if (sample.status < 500) return 'a 4xx (not logged at LOG_LEVEL=error)';
  const entry = failureOf(failures, sample);
  if (!entry) return 'not in the server log';
  const chain: string[] = [];
  for (let error = entry.error; error; error = error.cause) {
    chain.push(`${error.name}: ${error.message}`);
  }
  return chain.join(' <- ');
}

function countBy(samples: Sample[]): string {
  const counts = new Map<string, number>();
  for (const s of samples) counts.set(statusLabel(s), (counts.get(statusLabel(s)) ?? 0) + 1);
  return [...counts]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, n]) => `${status}: ${n}`)
    .join(', ');
}

function report(r: Results): void {
  const routes = Object.keys(ROUTE_LABEL) as RouteName[];
  const failures = requestFailures(r.offlineOutput);
  const phaseOf = (s: Sample) =>
    r.phases.find((p) => s.startedAt >= p.from && s.startedAt < p.to) ?? r.phases.at(-1);
  const inside = (p: Phase) => (s: Sample) => s.startedAt >= p.from && s.startedAt + s.ms <= p.to;

  console.log('\n### Status codes per phase and route (by request start)\n');
  console.log(`| phase | length | ${routes.map((r) => ROUTE_LABEL[r]).join(' | ')} |`);
  console.log(`|---|---|${routes.map(() => '---').join('|')}|`);
  for (const phase of r.phases) {
    const inPhase = r.samples.filter((s) => phaseOf(s) === phase);
    console.log(
      `| ${phase.name} | ${seconds(phase.to - phase.from)} s | ${routes.map((route) => countBy(inPhase.filter((s) => s.route === route)) || '-').join(' | ')} |`,
    );
  }

  console.log(
    '\n### Recovery after each restart (first 2xx of each route that needs the engine)\n',
  );
  console.log('| engine | restart took | route | from restart begun | from restart done |');
  console.log('|---|---|---|---|---|');
  for (const rec of r.recoveries) {
    for (const [route, fromBegun] of rec.fromStartBegun) {
      const fromDone = rec.fromStartDone.get(route);
      console.log(
        `| ${rec.engine} | ${seconds(rec.startMs)} s | ${ROUTE_LABEL[route]} | ${fromBegun === undefined ? 'never' : `${seconds(fromBegun)} s`} | ${fromDone === undefined ? 'never' : `${seconds(fromDone)} s`} |`,
      );
    }
  }

  const slow = r.samples.filter((s) => s.ms > HANG_MS || s.status === 0);
  const byMs = [...r.samples].sort((a, b) => a.ms - b.ms);
  const quantile = (q: number) =>
    byMs[Math.min(byMs.length - 1, Math.floor(q * byMs.length))]?.ms ?? 0;
  console.log(
    `\n${r.samples.length} requests in ${seconds((r.phases.at(-1)?.to ?? 0) - (r.phases[0]?.from ?? 0))} s of load; p50 ${quantile(0.5).toFixed(0)} ms, p99 ${quantile(0.99).toFixed(0)} ms, max ${quantile(1).toFixed(0)} ms; ${r.acknowledged} messages acknowledged, ${r.stored} in the channels' histories, ${r.unacknowledged} sends not acknowledged (${r.unacknowledgedStored} of them stored anyway); ${r.relogins} sign-ins again after a 401; whole run ${r.totalSeconds.toFixed(0)} s`,
  );
  for (const stall of r.stalls) {
    const phase = r.phases.find((p) => stall.at >= p.from && stall.at < p.to);
    console.log(
      `load generator frozen ${stall.ms.toFixed(0)} ms, from ${seconds(stall.at - (phase?.from ?? 0))} s into "${phase?.name}" (+${seconds(stall.at - r.origin)} s)`,
    );
  }
  const odd = r.samples.filter(
    (s) => s.ms > HANG_MS || s.status === 0 || (s.status >= 500 && s.status !== 503),
  );
  for (const s of odd.slice(0, 20)) {
    const phase = phaseOf(s) as Phase;
    console.log(
      `slow or failed: ${ROUTE_LABEL[s.route]} ${statusLabel(s)} in ${s.ms.toFixed(0)} ms, started ${seconds(s.startedAt - phase.from)} s into "${phase.name}" (+${seconds(s.startedAt - r.origin)} s in ${OFFLINE_LOG}) ${s.error ?? ''}`,
    );
  }

  const checks: Check[] = [];
  checks.push({
    name: `no request over ${HANG_MS / 1000} s and no transport error/timeout (client timeout ${CLIENT_TIMEOUT_MS / 1000} s)`,
    ok: slow.length === 0,
    detail: `${r.samples.filter((s) => s.ms > HANG_MS).length} over ${HANG_MS / 1000} s, ${r.samples.filter((s) => s.status === 0).length} transport errors, of ${r.samples.length}; max ${quantile(1).toFixed(0)} ms`,
  });
  for (const engine of r.engines) {
    const down = r.phases.find((p) => p.engine === engine && p.kind === 'down') as Phase;
    const during = r.samples.filter(inside(down));
    const needing = during.filter((s) => NEEDS[s.route].includes(engine));
    const others = during.filter((s) => !NEEDS[s.route].includes(engine));
    checks.push({
      name: `${engine} down: routes that need it answer only 503 (counted: requests started and finished while it was stopped)`,
      ok: needing.length > 0 && needing.every((s) => s.status === 503),
      detail: routes
        .filter((route) => NEEDS[route].includes(engine))
        .map((route) => `${route} ${countBy(needing.filter((s) => s.route === route)) || 'none'}`)
        .join('; '),
    });
    checks.push({
      name: `${engine} down: routes that do not need it keep succeeding`,
      ok: others.length > 0 && others.every((s) => s.status === OK_STATUS[s.route]),
      detail: routes
        .filter((route) => !NEEDS[route].includes(engine))
        .map((route) => `${route} ${countBy(others.filter((s) => s.route === route)) || 'none'}`)
        .join('; '),
    });
    const rec = r.recoveries.find((x) => x.engine === engine);
    const after = r.phases.find((p) => p.engine === engine && p.kind === 'after') as Phase;
    const relapses = rec?.recoveredAt
      ? r.samples.filter(
          (s) =>
            s.startedAt > (rec.recoveredAt as number) &&
            // Answered before the next engine was stopped: a request caught by that stop is not
            // a relapse of this engine.
            s.startedAt + s.ms <= after.to &&
            s.status !== OK_STATUS[s.route] &&
            // dynalite's restart ended the sessions (in memory): a 401 is the sign-in again.
            !(engine === 'dynamodb' && s.status === 401),
        )
      : [];
    const worst = rec
      ? Math.max(...[...rec.fromStartDone.values()].map((v) => v ?? Number.NaN))
      : Number.NaN;
    const worstBegun = rec
      ? Math.max(...[...rec.fromStartBegun.values()].map((v) => v ?? Number.NaN))
      : Number.NaN;
    checks.push({
      name: `${engine} restarted: every route that needs it succeeds again within ${RECOVERY_LIMIT_MS / 1000} s, and stays so, without restarting serverless-offline`,
      ok: rec?.recoveredAt !== undefined && relapses.length === 0,
      detail: rec?.recoveredAt
        ? `${seconds(worst)} s after startStack returned (${seconds(worstBegun)} s after it was called; the engine's start took ${seconds(rec.startMs)} s); ${relapses.length} failures afterwards${relapses
            .slice(0, FAILURES_SHOWN)
            .map(
              (s) =>
                `; ${ROUTE_LABEL[s.route]} ${statusLabel(s)} ${seconds(s.startedAt - (rec.recoveredAt as number))} s after recovery (${failureCause(failures, s)})`,
            )
            .join('')}`
        : 'not recovered',
    });
  }
  const otherServerErrors = r.samples.filter((s) => s.status >= 500 && s.status !== 503);
  // dynalite keeps its tables in memory: between its restart answering and startStack creating the
  // tables again, DynamoDB says ResourceNotFoundException (500). DynamoDB itself never loses a
  // table, so those are told apart, each by its own line in the server's log, from 500s of any
  // other cause.
  const causes = serverErrorCauses(failures);
  const dynaliteStart = r.phases.find((p) => p.engine === 'dynamodb' && p.kind === 'starting');
  const tablesMissing = dynaliteStart
    ? otherServerErrors.filter(
        (s) =>
          s.status === 500 &&
          s.startedAt >= dynaliteStart.from &&
          s.startedAt < dynaliteStart.to + 1_000 &&
          failureOf(failures, s)?.error?.name === 'ResourceNotFoundException',
      )
    : [];
  const unexplained = otherServerErrors.filter((s) => !tablesMissing.includes(s));
  checks.push({
    name: 'no 5xx other than 503 at any time (apart from 500s while the restarted in-memory dynalite has no tables yet)',
    ok: unexplained.length === 0,
    detail: `${unexplained.length ? countBy(unexplained) : '0'} of ${r.samples.length}${unexplained
      .slice(0, FAILURES_SHOWN)
      .map((s) => ` (${ROUTE_LABEL[s.route]} ${statusLabel(s)}: ${failureCause(failures, s)})`)
      .join(
        '',
      )}; ${tablesMissing.length} answered 500 while dynalite's tables were being recreated; server log 5xx causes: ${[...causes].map(([name, n]) => `${name} ${n}`).join(', ') || 'none'}`,
  });
  checks.push({
    name: 'every message acknowledged with 201 is in its channel history with its content',
    ok: r.lost.length === 0 && r.duplicateIds === 0 && r.acknowledged > 0,
    detail: `${r.lost.length} lost of ${r.acknowledged} acknowledged${r.duplicateIds ? `, ${r.duplicateIds} duplicate ids` : ''}`,
  });
  checks.push({
    name: 'no message stored twice or from nowhere',
    ok: r.duplicatedSends === 0 && r.strays === 0,
    detail: `${r.duplicatedSends} stored twice, ${r.strays} stored but never sent; ${r.unacknowledgedStored} of ${r.unacknowledged} unacknowledged sends were stored (allowed: the client was told 503, not 201)`,
  });
  reportChecks('faults', 'Faults under load (issue 7, item 4)', checks);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
