/**
 * npm run verify:faults: a steady mixed load through serverless-offline while
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
 *
 * The parts live in verify/faults/: the scenario, the client calls, the fixture, the load, the
 * outages, the read-back of the messages and the report.
 */

import { collectOutput } from '../harness/offline-log';
import { drivenServerSettings, type OfflineServer, startOffline } from '../scripts/offline-server';
import { localEngines, stackStatus, startStack } from '../scripts/stack';
import { type EngineName, stackSettings } from '../scripts/stack/settings';
import { setUp } from './faults/fixture';
import { type Load, runLoad, watchStalls } from './faults/load';
import { readBack } from './faults/messages';
import { runOutages } from './faults/outages';
import { report } from './faults/report';
import {
  LOOPS,
  OFFLINE_LOG,
  ONLY_ENGINES,
  OUTAGE_ORDER,
  PACE_MS,
  type Phase,
  TEACHER_CODE,
} from './faults/scenario';

/** The engines to stop: this checkout's local ones, in OUTAGE_ORDER, narrowed by FAULTS_ENGINES. */
function enginesToStop(userEnv: NodeJS.ProcessEnv): EngineName[] {
  const local = new Set(localEngines(stackSettings(userEnv)).map((e) => e.name));
  return OUTAGE_ORDER.filter(
    (engine) => local.has(engine) && (!ONLY_ENGINES || ONLY_ENGINES.includes(engine)),
  );
}

/** Refuses to stop an engine this checkout did not start (another checkout's, or a service). */
async function checkEnginesAreOurs(userEnv: NodeJS.ProcessEnv): Promise<void> {
  const local = new Set(localEngines(stackSettings(userEnv)).map((e) => e.name));
  for (const state of await stackStatus(userEnv)) {
    if (local.has(state.engine) && state.state !== 'running' && state.state !== 'started')
      throw new Error(`${state.engine} is ${state.state}: not this checkout's engine to stop`);
  }
}

async function main(): Promise<void> {
  const userEnv = { ...process.env };
  const engines = enginesToStop(userEnv);
  const runStarted = performance.now();
  const stackEnv = await startStack();
  await checkEnginesAreOurs(userEnv);
  let server: OfflineServer | undefined;
  const phases: Phase[] = [];
  let load: Load | undefined;
  let stalls: ReturnType<typeof watchStalls> | undefined;
  try {
    server = await startOffline(
      { ...stackEnv, LOG_LEVEL: 'error', ...drivenServerSettings(TEACHER_CODE) },
      { logFile: OFFLINE_LOG },
    );
    const base = server.url;
    /** serverless-offline's output as it came (OFFLINE_LOG has it with arrival times). */
    const offlineOutput = collectOutput(server);
    const fixture = await setUp(base);
    console.log(
      `fixture: ${fixture.members.length} members, channels ${fixture.channelIds.join(', ')}; load ${Object.entries(
        LOOPS,
      )
        .map(([r, n]) => `${n}x ${r}`)
        .join(', ')}, one request per loop every ${PACE_MS} ms`,
    );
    stalls = watchStalls();
    load = runLoad(base, fixture);
    const recoveries = await runOutages(engines, load, phases, userEnv);
    await load.stop();
    stalls.stop();
    const last = phases.at(-1);
    if (last) last.to = performance.now();
    report({
      samples: load.samples,
      phases,
      recoveries,
      ...(await readBack(base, fixture, load)),
      relogins: load.relogins(),
      engines,
      totalSeconds: (performance.now() - runStarted) / 1000,
      // The offsets of OFFLINE_LOG count from the server's start.
      origin: server.startedAt,
      stalls: stalls.found,
      offlineOutput: offlineOutput.text(),
    });
  } finally {
    // However the run ended, the load stops, offline stops, and every engine runs again.
    stalls?.stop();
    if (load) await load.stop();
    if (server) await server.stop();
    await startStack({ env: userEnv });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
