/**
 * npm run verify:ring: the message tier on a three-node Cassandra ring (scripts/stack/ring.ts),
 * under a steady mixed load through serverless-offline, while
 *   1. one node is stopped for a while and started again (expect 0 failed requests: LOCAL_QUORUM
 *      is 2 of 3 replicas),
 *   2. two nodes are stopped (expect fast 503s naming the message store, none over 5 s), then one
 *      comes back (expect the message routes to answer again without restarting anything of ours),
 *      then the other,
 *   3. all three are restarted one at a time (expect 0 failed requests).
 * At the end every acknowledged message is read back (expect 0 lost, 0 twice). Figures: p50/p99
 * per phase, recovery times, and the driver's node down/up events as the functions logged them.
 *
 * The ring is started if it is not running (and stopped again at the end if this run started
 * it). MongoDB and DynamoDB are the local stack's; messages go to the ring, in a keyspace of
 * their own that each run recreates, and the run's users and channels to a database of their own.
 */

import { join } from 'node:path';
import { Client } from 'cassandra-driver';
import { syncIndexesAt } from '../lib/storage/mongo/indexes';
import { drivenServerSettings, type OfflineServer, startOffline } from '../scripts/offline-server';
import { startStack } from '../scripts/stack';
import { withDatabase } from '../scripts/stack/mongo-url';
import {
  migrateRing,
  RING_ADDRESSES,
  RING_DATA_CENTER,
  RING_NATIVE_PORT,
  ringConnectionEnv,
  ringNodeRunning,
  ringStatus,
  startRing,
  startRingNode,
  stopRing,
} from '../scripts/stack/ring';
import { verifyDir } from './report';
import { login, setUp, TEACHER_CODE } from './ring/fixture';
import { expectStatus, fullHistory, sessionCookie } from './ring/http';
import { readBack } from './ring/ledger';
import { type Load, runLoad, STUDENTS_NEEDED } from './ring/load';
import { OfflineLog } from './ring/offline-log';
import { PhaseClock } from './ring/phases';
import { report, WARM_UP } from './ring/report';
import { type Recovery, stepOne, stepThree, stepTwo } from './ring/steps';

const KEYSPACE = 'plp_ring_verify';
const STEADY_MS = Number(process.env.RING_STEADY_MS ?? 15_000);
const WARM_UP_MS = 60_000;

/** Starts the ring unless all three nodes are UN; true when this run started any node. */
async function ensureRing(): Promise<boolean> {
  const status = await ringStatus();
  if (status.every((n) => n.up && n.normal)) return false;
  await startRing((line) => console.log(line));
  return true;
}

/** Drops the previous run's keyspace, then creates and migrates it afresh (RF from the ring). */
async function freshKeyspace() {
  const client = new Client({
    contactPoints: RING_ADDRESSES.map((a) => `${a}:${RING_NATIVE_PORT}`),
    localDataCenter: RING_DATA_CENTER,
    socketOptions: { readTimeout: 60_000 },
    monitorReporting: { enabled: false },
  });
  try {
    await client.execute(`DROP KEYSPACE IF EXISTS ${KEYSPACE}`);
  } finally {
    await client.shutdown();
  }
  return migrateRing(KEYSPACE);
}

/** The functions' environment: the local stack's MongoDB (own database) and DynamoDB, the ring. */
async function offlineEnv(): Promise<Record<string, string>> {
  const stackEnv = await startStack({ only: ['mongo', 'dynamodb'] });
  const mongoUrl = withDatabase(stackEnv.MONGODB_URL as string, KEYSPACE);
  await syncIndexesAt(mongoUrl);
  return {
    ...stackEnv,
    ...ringConnectionEnv(KEYSPACE),
    MONGODB_URL: mongoUrl,
    // warn: the Cassandra client's node down/up lines, and the errors behind any 5xx.
    LOG_LEVEL: 'warn',
    ...drivenServerSettings(TEACHER_CODE),
  };
}

/** Reads every channel back through the API once all nodes are up. */
async function readEverything(base: string, load: Load, username: string, channels: number[]) {
  const cookie = sessionCookie(await expectStatus(login(base, username), 200, 'sign in to read'));
  const stored = [];
  for (const channelId of channels) stored.push(...(await fullHistory(base, cookie, channelId)));
  return readBack(load.sent, stored, load.unacknowledged);
}

async function main(): Promise<void> {
  const runStarted = performance.now();
  const startedRing = await ensureRing();
  let server: OfflineServer | undefined;
  let load: Load | undefined;
  let stopping = false;
  try {
    const keyspace = await freshKeyspace();
    console.log(`keyspace ${KEYSPACE}: replication ${JSON.stringify(keyspace.replication)}`);
    const log = new OfflineLog();
    server = await startOffline(await offlineEnv(), {
      logFile: join(verifyDir, 'ring-offline.log'),
      // Its build shares two cores with three Cassandra JVMs.
      readyTimeoutMs: 300_000,
      // Workers that idle between phases stay warm: a cold start is not what a phase measures.
      idleWorkerSeconds: 3_600,
    });
    const offlineStartedAt = server.startedAt;
    let offlineExited: string | undefined;
    server.child.once('exit', (code, signal) => {
      if (stopping) return;
      const at = ((performance.now() - offlineStartedAt) / 1000).toFixed(1);
      offlineExited = `serverless-offline exited (${signal ?? code}) at +${at} s: see .local/verify/ring-offline.log`;
      console.error(offlineExited);
    });
    server.child.stdout?.on('data', (chunk: Buffer) => log.add(chunk));
    server.child.stderr?.on('data', (chunk: Buffer) => log.add(chunk));
    const fixture = await setUp(server.url, STUDENTS_NEEDED);
    const clock = new PhaseClock();
    const recoveries: Recovery[] = [];
    load = runLoad(server.url, fixture);
    // Every function's first start (a cold start, slow on this machine) falls in here, unjudged.
    clock.mark(WARM_UP, 0, 'transition');
    await new Promise((r) => setTimeout(r, WARM_UP_MS));
    clock.mark('baseline, three nodes', 0, 'ok');
    await new Promise((r) => setTimeout(r, STEADY_MS));
    await stepOne(clock, recoveries);
    await stepTwo(clock, recoveries, load.samples);
    await stepThree(clock, recoveries);
    await load.stop();
    clock.end();
    // Every request since then failed on a refused connection: no figure would mean anything.
    if (offlineExited) throw new Error(offlineExited);
    const student = fixture.students[0]?.username as string;
    report({
      phases: clock.phases,
      samples: load.samples,
      recoveries,
      nodeEvents: log.nodeEvents(),
      failures: log.failures(),
      readBack: await readEverything(server.url, load, student, fixture.channelIds),
      acknowledged: load.sent.length,
      unacknowledged: load.unacknowledged.length,
      replication: keyspace.replication,
      totalSeconds: (performance.now() - runStarted) / 1000,
    });
  } finally {
    // However the run ended: the load and serverless-offline stop, every ring node runs again,
    // and a ring this run started is stopped.
    stopping = true;
    await load?.stop();
    await server?.stop();
    for (const index of RING_ADDRESSES.keys()) {
      if (!ringNodeRunning(index)) await startRingNode(index);
    }
    if (startedRing && !process.env.RING_KEEP) await stopRing((line) => console.log(line));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
