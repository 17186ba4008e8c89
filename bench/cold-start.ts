/**
 * npm run verify:cold-start (issue 7, item 1): for every function zip of `serverless package`,
 * the median over fresh Node processes (BENCH_COLD_SAMPLES, default 10) of
 *   load: requiring the bundle (what a cold start adds to Node's own start), and
 *   first: the first invocation, with its database calls answered by the local stack
 *        (a logged-in caller, so the session is looked up; GETs with id 1 reach MongoDB;
 *        the WebSocket routes get API Gateway's WebSocket event on a recorded connection of
 *        that session, see webSocketEvent),
 * next to a hello-world handler bundled the same way in the same run. Budgets, on the load-time
 * overhead over hello-world: no driver <= 15 ms, Cassandra only <= 40 ms, Mongoose <= 100 ms.
 * Prints a table (also the bundle sizes) and exits 1 when a budget fails.
 * BENCH_COLD_FUNCTIONS=get-me,send-message measures only those functions (for quick comparisons).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { load as loadYaml } from 'js-yaml';
import { resetConfig } from '../lib/config';
import { closeCassandra } from '../lib/db/cassandra';
import { closeDynamo } from '../lib/db/dynamo';
import { closeMongo } from '../lib/db/mongo';
import { forgetConnection, openConnection } from '../lib/realtime/connections';
import { createSession } from '../lib/sessions/session-store';
import { storage } from '../lib/storage';
import { startStack } from '../scripts/stack';
import { localDir, projectRoot } from '../scripts/stack/paths';
import { httpEvent, lambdaContext } from '../tests/helpers/lambda';
import { writeColdStartChart } from '../verify/cold-start-chart';
import { packageDir, packagedFunctions, packageFunctions, zipKb } from './packaged-functions';
import { type Check, reportChecks } from './verify-report';

const SAMPLES = Number(process.env.BENCH_COLD_SAMPLES ?? 10);
const ONLY = (process.env.BENCH_COLD_FUNCTIONS ?? '').split(',').filter(Boolean);
const workDir = join(localDir, 'cold-start');
const BUDGET_MS = { none: 15, cassandra: 40, mongoose: 100 } as const;
type Drivers = keyof typeof BUDGET_MS;

interface FunctionSpec {
  handler: string;
  events?: {
    httpApi?: { method: string; path: string };
    websocket?: { route: string };
    schedule?: unknown;
  }[];
}

/**
 * API Gateway's event for a WebSocket route (the fields our stack reads are meaningful):
 * $connect carries the upgrade request's headers, the actions a frame.
 */
function webSocketEvent(
  route: string,
  connectionId: string,
  { headers, frame }: { headers?: Record<string, string>; frame?: unknown },
) {
  const eventType =
    route === '$connect' ? 'CONNECT' : route === '$disconnect' ? 'DISCONNECT' : 'MESSAGE';
  const now = Date.now();
  return {
    requestContext: {
      routeKey: route,
      eventType,
      connectionId,
      messageId: eventType === 'MESSAGE' ? randomUUID() : undefined,
      extendedRequestId: randomUUID(),
      requestId: randomUUID(),
      requestTime: new Date(now).toUTCString(),
      requestTimeEpoch: now,
      connectedAt: now,
      messageDirection: 'IN',
      stage: 'dev',
      domainName: 'localhost',
      apiId: 'local',
    },
    ...(headers ? { headers } : {}),
    ...(frame === undefined ? {} : { body: JSON.stringify(frame) }),
    isBase64Encoded: false,
  };
}

/** SDKs a bundle loads on first use (the runtime provides them; they are not in the zip). */
function sdksIn(bundle: string): string {
  const code = readFileSync(bundle, 'utf8');
  const sdks = [
    ['@aws-sdk/lib-dynamodb', 'DynamoDB'],
    ['@aws-sdk/client-lambda', 'Lambda'],
    ['@aws-sdk/client-apigatewaymanagementapi', 'Management API'],
  ].filter(([module]) => code.includes(`"${module}"`));
  return sdks.map(([, name]) => name).join(', ') || '-';
}

/** One sample, in a fresh process: load the bundle, invoke it once, report both times. */
const RUNNER = `
const [file, name] = process.argv.slice(1);
const event = JSON.parse(process.env.COLD_EVENT);
const context = JSON.parse(process.env.COLD_CONTEXT);
context.getRemainingTimeInMillis = () => 20000;
const t0 = performance.now();
const mod = require(file);
const t1 = performance.now();
Promise.resolve(mod[name](event, context)).then((result) => {
  const t2 = performance.now();
  // A WebSocket route answers 200 with an event: its type (and error code) says what happened.
  const body = result && typeof result.body === 'string' && result.body.startsWith('{"type"') ? JSON.parse(result.body) : undefined;
  const answer = body && (body.code ? body.type + ' ' + body.code : body.type);
  process.stdout.write(JSON.stringify({ loadMs: t1 - t0, firstMs: t2 - t1, status: result && result.statusCode, answer }) + '\\n');
  process.exit(0);
}, (error) => { console.error(error); process.exit(1); });
`;

interface Sample {
  loadMs: number;
  firstMs: number;
  status?: number;
  /** A WebSocket route's answer: the event's type (and error code). */
  answer?: string;
}

function sample(file: string, exportName: string, env: NodeJS.ProcessEnv): Sample {
  const out = execFileSync(process.execPath, ['-e', RUNNER, file, exportName], {
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return JSON.parse(out.trim().split('\n').at(-1) as string) as Sample;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

function unzip(name: string): string {
  const dir = join(workDir, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const result = spawnSync('python3', [
    '-m',
    'zipfile',
    '-e',
    join(packageDir, `${name}.zip`),
    dir,
  ]);
  if (result.status !== 0) throw new Error(`unzip ${name}: ${result.stderr}`);
  return dir;
}

function helloWorld(): string {
  const source = join(workDir, 'hello.ts');
  const outfile = join(workDir, 'hello', 'hello.js');
  mkdirSync(join(workDir, 'hello'), { recursive: true });
  writeFileSync(
    source,
    "export const handler = async () => ({ statusCode: 200, body: 'hello' });\n",
  );
  // Bundled as serverless-esbuild bundles the functions: serverless.yml's custom.esbuild options.
  const yml = loadYaml(readFileSync(join(projectRoot, 'serverless.yml'), 'utf8')) as {
    custom: { esbuild: Record<string, unknown> };
  };
  // Less the options that are serverless-esbuild's own, not esbuild's.
  const {
    exclude: _exclude,
    packager: _packager,
    watch: _watch,
    outputWorkFolder: _outputWorkFolder,
    ...options
  } = yml.custom.esbuild;
  buildSync({ ...options, absWorkingDir: projectRoot, entryPoints: [source], outfile });
  return outfile;
}

function driversIn(bundle: string): Drivers {
  const code = readFileSync(bundle, 'utf8');
  if (code.includes('node_modules/mongoose/')) return 'mongoose';
  if (code.includes('node_modules/cassandra-driver/')) return 'cassandra';
  return 'none';
}

async function main(): Promise<void> {
  mkdirSync(workDir, { recursive: true });
  const packagedIn = packageFunctions();
  const stackEnv = await startStack();
  Object.assign(process.env, stackEnv);
  resetConfig();
  // A logged-in teacher, so every route's first invocation looks its session up.
  const username = `coldstart${Date.now()}`;
  const user = await storage.createUser({
    username,
    password: 'cold-start-password',
    name: 'Cold Start',
    email: `${username}@example.test`,
    role: 'teacher',
  });
  const { token, session } = await createSession(user);
  // logout ends the session it is given: each of its samples gets a session of its own.
  const sessionFor = async (name: string) =>
    name === 'logout' ? (await createSession(user)).token : token;
  // The WebSocket routes: a channel of the teacher's to subscribe to, and one nobody subscribes
  // to, whose fan-out reads its readers and finds no subscriber (so no delivery is attempted:
  // the Management API has no endpoint here), and where typing is refused (not subscribed) before
  // it would invoke the fan-out.
  const workspace = await storage.createWorkspace({
    name: 'Cold start',
    ownerId: user.id,
    members: [user.id],
  });
  const [subscribedChannel, quietChannel] = await Promise.all(
    ['subscribed', 'quiet'].map((name) =>
      storage.createChannel({ workspaceId: workspace.id, name, type: 'text' }),
    ),
  );
  const connectionId = `coldstart${Date.now()}=`;
  const frames: Record<string, unknown> = {
    ping: { action: 'ping' },
    subscribe: { action: 'subscribe', channelId: subscribedChannel?.id },
    unsubscribe: { action: 'unsubscribe', channelId: subscribedChannel?.id },
    typing: { action: 'typing', channelId: quietChannel?.id },
    $default: { action: 'shout' },
  };
  /** Records the connection (as $connect does) before each sample that needs one. */
  const openTheConnection = () =>
    openConnection({
      connectionId,
      userId: user.id,
      role: user.role,
      sessionId: session.id,
      connectedAt: Date.now(),
      expiresAt: Date.now() + 3_600_000,
    });

  const yml = loadYaml(readFileSync(join(projectRoot, 'serverless.yml'), 'utf8')) as {
    functions: Record<string, FunctionSpec>;
  };
  const env = {
    ...process.env,
    ...stackEnv,
    LOG_LEVEL: 'error',
    // A scheduled run then finds little to do: the figure is the start-up, not the backlog.
    ANALYTICS_SETTLE_SECONDS: '3600',
  };
  const hello = helloWorld();
  const helloSamples: number[] = [];
  const helloRound = () => {
    for (let i = 0; i < SAMPLES; i += 1) {
      helloSamples.push(
        sample(hello, 'handler', { ...env, COLD_EVENT: '{}', COLD_CONTEXT: '{}' }).loadMs,
      );
    }
  };
  helloRound();

  const rows: {
    name: string;
    drivers: Drivers;
    kb: number;
    /** SDKs loaded on first use. */
    sdks: string;
    load: number;
    first: number;
    status: string;
  }[] = [];
  const names = packagedFunctions().filter((n) => ONLY.length === 0 || ONLY.includes(n));
  for (const [index, name] of names.entries()) {
    const spec = yml.functions[name];
    if (!spec) continue;
    const [modulePath, exportName] = [
      spec.handler.slice(0, spec.handler.lastIndexOf('.')),
      spec.handler.slice(spec.handler.lastIndexOf('.') + 1),
    ];
    const file = join(unzip(name), `${modulePath}.js`);
    const route = spec.events?.find((e) => e.httpApi)?.httpApi;
    const webSocketRoute = spec.events?.find((e) => e.websocket)?.websocket?.route;
    const pathParameters = Object.fromEntries(
      [...(route?.path ?? '').matchAll(/\{(\w+)\+?\}/g)].map((m) => [
        m[1] as string,
        m[0].endsWith('+}') ? 'nothing/here' : '1',
      ]),
    );
    const path = (route?.path ?? '/').replace(
      /\{(\w+)\+?\}/g,
      (m, key: string) => pathParameters[key] ?? m,
    );
    const event = route
      ? httpEvent({
          method: route.method.toUpperCase(),
          path,
          pathParameters,
          cookies: [`sid=${token}`], // replaced per sample for logout
          headers: { 'content-type': 'application/json' },
          ...(['POST', 'PATCH', 'PUT', 'DELETE'].includes(route.method.toUpperCase())
            ? { body: '{}' }
            : {}),
        })
      : webSocketRoute
        ? webSocketEvent(webSocketRoute, connectionId, {
            ...(webSocketRoute === '$connect' ? { headers: { Cookie: `sid=${token}` } } : {}),
            frame: frames[webSocketRoute],
          })
        : name === 'realtime-fan-out'
          ? {
              channelId: quietChannel?.id,
              event: { type: 'message.deleted', channelId: quietChannel?.id, messageId: '1' },
            }
          : { source: 'aws.events', 'detail-type': 'Scheduled Event' };
    const samples: Sample[] = [];
    for (let i = 0; i < SAMPLES; i += 1) {
      const cookies = route ? { cookies: [`sid=${await sessionFor(name)}`] } : {};
      if (webSocketRoute && webSocketRoute !== '$connect') await openTheConnection();
      samples.push(
        sample(file, exportName as string, {
          ...env,
          COLD_EVENT: JSON.stringify({ ...event, ...cookies }),
          COLD_CONTEXT: JSON.stringify({
            ...lambdaContext(name),
            getRemainingTimeInMillis: undefined,
          }),
        }),
      );
    }
    rows.push({
      name,
      drivers: driversIn(file),
      kb: zipKb(name),
      load: median(samples.map((s) => s.loadMs)),
      first: median(samples.map((s) => s.firstMs)),
      sdks: sdksIn(file),
      status: [
        ...new Set(samples.map((s) => [s.status ?? 'done', s.answer].filter(Boolean).join(' '))),
      ].join('/'),
    });
    process.stdout.write(`\r${index + 1}/${names.length} functions`);
    if ((index + 1) % 15 === 0) helloRound(); // hello-world again, spread over the run
  }
  helloRound();
  await forgetConnection(connectionId);
  await Promise.all([closeMongo(), closeCassandra()]);
  closeDynamo();

  const helloMs = median(helloSamples);
  console.log(
    `\n\npackaged in ${packagedIn.toFixed(0)} s; medians of ${SAMPLES} fresh processes per function, hello-world ${helloMs.toFixed(1)} ms to load (${helloSamples.length} samples)`,
  );
  console.log(
    '| function | drivers | SDKs it may load on first use | zip | load | over hello-world | budget | first invocation | status |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  const over: string[] = [];
  for (const row of rows.sort((a, b) => a.load - b.load)) {
    const overhead = row.load - helloMs;
    const budget = BUDGET_MS[row.drivers];
    const ok = overhead <= budget;
    if (!ok) over.push(`${row.name} +${overhead.toFixed(1)} ms (${budget})`);
    console.log(
      `| ${row.name} | ${row.drivers} | ${row.sdks} | ${row.kb.toLocaleString('en')} KB | ${row.load.toFixed(1)} ms | ${overhead.toFixed(1)} ms | ${ok ? 'ok' : 'OVER'} (${budget} ms) | ${row.first.toFixed(1)} ms | ${row.status} |`,
    );
  }
  const checks: Check[] = (Object.keys(BUDGET_MS) as Drivers[]).flatMap((drivers) => {
    const group = rows.filter((r) => r.drivers === drivers);
    if (group.length === 0) return [];
    const overheads = group.map((r) => r.load - helloMs);
    const failing = group.filter((r) => r.load - helloMs > BUDGET_MS[drivers]);
    return [
      {
        name: `load over hello-world, ${drivers === 'none' ? 'no driver' : drivers} (${group.length} functions) <= ${BUDGET_MS[drivers]} ms`,
        ok: failing.length === 0,
        detail: `${Math.min(...overheads).toFixed(1)}-${Math.max(...overheads).toFixed(1)} ms (hello-world ${helloMs.toFixed(1)} ms, medians of ${SAMPLES})${failing.length ? `; over: ${over.filter((o) => failing.some((f) => o.startsWith(`${f.name} `))).join(', ')}` : ''}`,
      },
    ];
  });
  checks.push({
    name: 'first invocations answered (no 5xx, no WebSocket INTERNAL error)',
    ok: rows.every((r) => !/\b5\d\d\b|INTERNAL|SERVICE_UNAVAILABLE/.test(r.status)),
    detail: `statuses: ${[...new Set(rows.flatMap((r) => r.status.split('/')))].sort().join(', ')}`,
  });
  console.log(`\n${rows.length - over.length} of ${rows.length} functions within budget`);
  const charted = rows.map((r) => ({
    ...r,
    overheadMs: r.load - helloMs,
    budgetMs: BUDGET_MS[r.drivers],
  }));
  console.log(`chart: ${writeColdStartChart(charted, { helloMs, samples: SAMPLES })}`);
  reportChecks('cold-start', 'Cold start (item 1)', checks);
}

main().then(
  () => process.exit(),
  (error: unknown) => {
    console.error('cold-start failed:', error);
    process.exit(1);
  },
);
