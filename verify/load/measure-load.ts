/**
 * The load runs: each route at each connection count on a warmed serverless-offline, next to the
 * same storage work made in-process. The results array is what the table and the checks are
 * built from.
 */

import { type InvocationLog, invocationLog } from '../../harness/offline-log';
import { withMainThreadCpu } from '../../harness/procfs';
import { type OfflineServer, startOffline } from '../../scripts/offline-server';
import type { Check } from '../report';
import { writeWarmLatencyChart } from './chart';
import {
  cannon,
  failuresOf,
  type HttpRun,
  type WorkerThreads,
  warmUp,
  workerThreads,
} from './http-load';
import type { InProcessRun } from './in-process';
import type { Route } from './routes';
import {
  CONNECTION_COUNTS,
  IDLE_WORKER_SECONDS,
  INPROCESS_SECONDS,
  LOAD_SECONDS,
  ms,
  offlineLog,
  percent,
} from './settings';

/** One route at one connection count. */
export interface LoadResult {
  route: string;
  connections: number;
  run: HttpRun;
  /** The same storage work in-process at the same concurrency. */
  local: InProcessRun;
  /** HTTP p50 / in-process p50. */
  ratio: number;
  /** Share of a core serverless-offline's main thread used during the run. */
  mainThreadCpu: number;
  /** Invocations that failed in the emulator during the run (answered 200 all the same). */
  failedInvocations: number;
  handlerMaxMs: number;
  handlerSummary: string;
  workersStarted: number;
  workersInAll: number;
}

/** Failed requests and failed invocations of a result (see invocationLog). */
const failuresIn = (r: LoadResult) => failuresOf(r.run) + r.failedInvocations;

/**
 * Starts serverless-offline and says how long that took. Its idle workers live through the whole
 * run, as a Lambda's warm instances would (see OfflineOptions.idleWorkerSeconds).
 */
export async function offline(env: Record<string, string>, name: string): Promise<OfflineServer> {
  const started = performance.now();
  const server = await startOffline(env, {
    idleWorkerSeconds: IDLE_WORKER_SECONDS,
    logFile: offlineLog(name),
  });
  console.log(`serverless-offline ready in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return server;
}

/** Warms `route` for `connections`, then measures it for LOAD_SECONDS; prints a line of it. */
async function measureRoute(
  server: OfflineServer,
  invocations: InvocationLog,
  workers: WorkerThreads,
  route: Route,
  connections: number,
  tokens: string[],
  local: InProcessRun,
): Promise<LoadResult> {
  const warm = await warmUp(server, workers, [route], connections, tokens);
  // The warm-up's last invocations logged, then counted apart from the measured run.
  await invocations.quiet(1_000);
  const warmFailed = invocations.failed();
  invocations.reset();
  const threadsBefore = workers.snapshot();
  const { result: run, mainThreadCpu } = await withMainThreadCpu(server.child.pid as number, () =>
    cannon(server.url, [route.request], connections, tokens, { duration: LOAD_SECONDS }),
  );
  const result: LoadResult = {
    route: route.name,
    connections,
    run,
    local,
    ratio: run.p50 / local.p50,
    mainThreadCpu,
    failedInvocations: invocations.failed(),
    handlerMaxMs: invocations.max(),
    handlerSummary: invocations.summary(),
    workersStarted: workers.startedSince(threadsBefore),
    workersInAll: workers.count(),
  };
  console.log(
    `${route.name} @${connections}: p50 ${ms(run.p50)} ms, p99 ${ms(run.p99)} ms, ${run.rps.toFixed(0)} req/s, ${failuresIn(result)} errors, emulator main thread ${percent(mainThreadCpu)} of a core; ${result.handlerSummary}; ${workersStartedText(result)} (warm-up ${warm}; ${warmFailed} failed invocations)`,
  );
  return result;
}

const workersStartedText = (r: LoadResult) =>
  `${r.workersStarted} workers started during the run (${r.workersInAll} in all)`;

/**
 * Each route on a serverless-offline of its own: the 50 workers of one route's run would
 * otherwise idle on (for IDLE_WORKER_SECONDS) next to the next route's.
 */
export async function measureLoad(
  env: Record<string, string>,
  list: Route[],
  tokens: string[],
  inProcess: Map<string, InProcessRun>,
): Promise<LoadResult[]> {
  const results: LoadResult[] = [];
  for (const [index, route] of list.entries()) {
    const server = await offline(env, `route${index + 1}`);
    const invocations = invocationLog(server);
    const workers = workerThreads(server);
    try {
      for (const connections of CONNECTION_COUNTS) {
        const local = inProcess.get(`${route.name}@${connections}`) as InProcessRun;
        results.push(
          await measureRoute(server, invocations, workers, route, connections, tokens, local),
        );
      }
    } finally {
      await server.stop();
    }
  }
  return results;
}

/** Prints the load table, and charts its latencies by concurrency (bench/charts/). */
export function printLoadTable(results: LoadResult[]): void {
  console.log(
    `\nWarm load through serverless-offline, ${LOAD_SECONDS} s per run after a warm-up; in-process: the handler's storage calls (session look-up, access checks, operation), ${INPROCESS_SECONDS} s per run`,
  );
  console.log(
    '| route | connections | HTTP p50 ms | HTTP p99 ms | req/s | non-2xx / socket errors / timeouts | failed invocations | handler max ms | workers started | in-process p50 ms | in-process p99 ms | in-process ops/s | HTTP/in-process p50 | emulator main thread CPU |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const { route, connections, run, local, ...r } of results) {
    console.log(
      `| ${route} | ${connections} | ${ms(run.p50)} | ${ms(run.p99)} | ${run.rps.toFixed(0)} | ${run.non2xx} / ${run.errors - run.timeouts} / ${run.timeouts} | ${r.failedInvocations} | ${ms(r.handlerMaxMs)} | ${r.workersStarted} | ${ms(local.p50)} | ${ms(local.p99)} | ${local.ops.toFixed(0)} | ${r.ratio.toFixed(1)}x | ${percent(r.mainThreadCpu)} |`,
    );
  }
  const charted = results.map(({ route, connections, run }) => ({
    route,
    connections,
    p50: run.p50,
    p99: run.p99,
  }));
  console.log(`chart: ${writeWarmLatencyChart(charted, { seconds: LOAD_SECONDS })}`);
}

/** One check per result: no errors, over HTTP and in-process. */
export function loadChecks(results: LoadResult[]): Check[] {
  return results.map((r) => {
    const { run, local } = r;
    return {
      name: `${r.route} at ${r.connections} connections: errors = 0`,
      ok: failuresIn(r) === 0 && local.errors === 0,
      detail: `p50 ${ms(run.p50)} ms, p99 ${ms(run.p99)} ms, ${run.rps.toFixed(0)} req/s (${run.ok} 2xx), ${run.non2xx} non-2xx, ${run.errors - run.timeouts} socket errors, ${run.timeouts} timeouts; in-process p50 ${ms(local.p50)} ms (HTTP/in-process p50 ${r.ratio.toFixed(1)}x); emulator main thread ${percent(r.mainThreadCpu)} of a core; ${r.handlerSummary}; ${workersStartedText(r)}${local.errors ? `; ${local.errors} in-process errors: ${local.firstError}` : ''}`,
    };
  });
}
