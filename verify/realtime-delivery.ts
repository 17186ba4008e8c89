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
 * the git-ignored .local/verify/ folder, beside serverless-offline's output. The parts live in
 * verify/realtime-delivery/: settings, client calls, fixture, connections, a send, the report.
 */
import type WebSocket from 'ws';
import { type FanOutLog, fanOutLog } from '../harness/offline-log';
import { openFilesLimit } from '../harness/procfs';
import { resetConfig } from '../lib/config';
import { closeCassandra } from '../lib/db/cassandra';
import { closeDynamo } from '../lib/db/dynamo';
import { closeMongo } from '../lib/db/mongo';
import { channelSubscribers, forgetConnection } from '../lib/realtime/connections';
import { drivenServerSettings, type OfflineServer, startOffline } from '../scripts/offline-server';
import { startStack } from '../scripts/stack';
import { openConnection } from './realtime-delivery/connections';
import { type Fixture, seed } from './realtime-delivery/fixture';
import { report } from './realtime-delivery/report';
import { type Step, send } from './realtime-delivery/send';
import {
  bounded,
  DELIVERY_TIMEOUT_MS,
  IDLE_WORKER_SECONDS,
  messagesAt,
  ms,
  OPEN_CONCURRENCY,
  offlineLog,
  p,
  STUDENTS,
  SUBSCRIBER_COUNTS,
  TEACHER_CODE,
} from './realtime-delivery/settings';

/** What every step sends with: the server, its fan-out log, the fixture and the open sockets. */
interface Run {
  url: string;
  webSocketUrl: string;
  log: FanOutLog;
  fixture: Fixture;
  sockets: WebSocket[];
  largest: number;
  /** The next message's text (numbered). */
  text(): string;
}

/** Opens connections up to `subscribers`, then measures the step's messages one at a time. */
async function measureStep(run: Run, subscribers: number): Promise<Step> {
  const { url, log, sockets } = run;
  const { teacherSid, studentSids, live, quiet } = run.fixture;
  const opening = performance.now();
  const before = sockets.length;
  await bounded(subscribers - before, OPEN_CONCURRENCY, async (k) => {
    const index = before + k;
    sockets[index] = await openConnection(
      run.webSocketUrl,
      studentSids[index % STUDENTS] as string,
      live,
    );
  });
  const openSeconds = (performance.now() - opening) / 1000;
  console.log(
    `${subscribers} connections open and subscribed (+${subscribers - before} in ${openSeconds.toFixed(1)} s)`,
  );
  await send(url, log, teacherSid, live, subscribers, run.text()); // warm-up
  const step: Step = { subscribers, sends: [], quiet: [], openSeconds };
  const pairs = subscribers === run.largest;
  for (let i = 0; i < messagesAt(subscribers); i += 1) {
    // Alternating which goes first, so a drift over the run weighs on both sides alike.
    if (pairs && i % 2 === 1)
      step.quiet.push(await send(url, log, teacherSid, quiet, 0, run.text()));
    step.sends.push(await send(url, log, teacherSid, live, subscribers, run.text()));
    if (pairs && i % 2 === 0)
      step.quiet.push(await send(url, log, teacherSid, quiet, 0, run.text()));
  }
  const all = step.sends.flatMap((s) => s.latencies);
  console.log(
    `  delivery p50 ${ms(p(all, 0.5))} ms, p99 ${ms(p(all, 0.99))} ms; POST p50 ${ms(
      p(
        step.sends.map((s) => s.postMs),
        0.5,
      ),
    )} ms; missing ${step.sends.reduce((a, s) => a + s.missing, 0)}`,
  );
  return step;
}

/** Starts serverless-offline for the run and says how long that took. */
async function startServer(env: Record<string, string>): Promise<OfflineServer> {
  const serverStarted = performance.now();
  const server = await startOffline(env, {
    idleWorkerSeconds: IDLE_WORKER_SECONDS,
    logFile: offlineLog,
  });
  console.log(
    `serverless-offline ready in ${((performance.now() - serverStarted) / 1000).toFixed(0)} s`,
  );
  return server;
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
  let fixture: Fixture | undefined;
  try {
    server = await startServer(env);
    const log = fanOutLog(server, DELIVERY_TIMEOUT_MS);
    fixture = await seed(server.url);
    console.log(
      `fixture: a teacher and ${STUDENTS} students, channels ${fixture.live} (live) and ${fixture.quiet} (quiet) (${((performance.now() - startedAt) / 1000).toFixed(0)} s)`,
    );
    let counter = 0;
    const text = () => {
      counter += 1;
      return `realtime bench message ${counter}: ${'lorem ipsum '.repeat(8)}`;
    };
    const { url, webSocketUrl } = server;
    const run: Run = { url, webSocketUrl, log, fixture, sockets, largest, text };
    // The quiet channel's path warm first (its fan-out finds nobody).
    await send(url, log, fixture.teacherSid, fixture.quiet, 0, text());
    const steps: Step[] = [];
    for (const subscribers of SUBSCRIBER_COUNTS) steps.push(await measureStep(run, subscribers));
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

main().then(
  () => process.exit(),
  (error: unknown) => {
    console.error('bench:realtime failed:', error);
    process.exit(1);
  },
);
