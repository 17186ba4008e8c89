/**
 * The mixed run: the four routes at once on a fresh, warmed serverless-offline, its process group
 * sampled every second (open connections per engine, Lambda workers, RSS); checks that the
 * connections stay within the per-instance pool bounds and that RSS does not grow.
 */
import type { ClientOptions } from 'cassandra-driver';
import { types } from 'cassandra-driver';
import { invocationLog } from '../../harness/offline-log';
import { withMainThreadCpu } from '../../harness/procfs';
import { config } from '../../lib/config';
import { getCassandra } from '../../lib/db/cassandra';
import { DYNAMO_MAX_SOCKETS } from '../../lib/db/dynamo';
import type { OfflineServer } from '../../scripts/offline-server';
import type { Check } from '../report';
import { cannon, failuresOf, type HttpRun, warmUp, workerThreads } from './http-load';
import { offline } from './measure-load';
import type { Route } from './routes';
import { enginePorts, type Sample, sample } from './samples';
import {
  CONNECTIONS_SECONDS,
  MIXED_CONNECTIONS,
  MONGO_MONITOR_CONNECTIONS,
  median,
  ms,
  percent,
  RSS_GROWTH_BUDGET,
  RSS_WARMUP_SECONDS,
  RSS_WINDOW_SECONDS,
} from './settings';

/** The mixed run's figures: the once-a-second samples and the load's own. */
export interface MixedRun {
  samples: Sample[];
  run: HttpRun;
  mainThreadCpu: number;
  failedInvocations: number;
  handlerSummary: string;
}

type Engine = 'mongo' | 'cassandra' | 'dynamodb';

/** The connections one Lambda instance may open to each engine, and how that bound is made. */
async function perInstanceBounds() {
  const mongoPool = config().mongo.maxPoolSize;
  const cassandra = await getCassandra();
  const cassandraPerHost =
    // The driver fills in its pooling defaults on connect; they are on an untyped field.
    (cassandra as unknown as { options: ClientOptions }).options.pooling?.coreConnectionsPerHost?.[
      types.distance.local
    ] ?? Number.NaN;
  const cassandraHosts = cassandra.hosts.length;
  const bound: Record<Engine, number> = {
    mongo: mongoPool + MONGO_MONITOR_CONNECTIONS,
    // One pool per host plus the control connection.
    cassandra: cassandraPerHost * cassandraHosts + 1,
    dynamodb: DYNAMO_MAX_SOCKETS,
  };
  const text: Record<Engine, string> = {
    mongo: `(MONGODB_MAX_POOL_SIZE ${mongoPool} + ${MONGO_MONITOR_CONNECTIONS} monitoring)`,
    cassandra: `(coreConnectionsPerHost ${cassandraPerHost} × ${cassandraHosts} host + 1 control)`,
    dynamodb: `(agent maxSockets ${DYNAMO_MAX_SOCKETS})`,
  };
  return { bound, text };
}

/** Warms `server` for the mixed load, then runs it for CONNECTIONS_SECONDS, sampling each second. */
async function sampledMixedRun(
  server: OfflineServer,
  ports: Record<string, number>,
  list: Route[],
  tokens: string[],
): Promise<MixedRun> {
  const invocations = invocationLog(server);
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
    samples.push(sample(pgid, ports, workers, second));
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
  return {
    samples,
    run,
    mainThreadCpu,
    failedInvocations: invocations.failed(),
    handlerSummary: invocations.summary(),
  };
}

/** Prints the engine table and returns a check per engine: connections within the bound. */
async function connectionChecks(mixed: MixedRun, ports: Record<string, number>): Promise<Check[]> {
  const { samples, run, mainThreadCpu } = mixed;
  const perInstance = await perInstanceBounds();
  const maxWorkers = Math.max(...samples.map((s) => s.workers));
  console.log(
    `\nMixed run: ${MIXED_CONNECTIONS} connections over the four routes for ${CONNECTIONS_SECONDS} s: ${run.rps.toFixed(0)} req/s, p50 ${ms(run.p50)} ms, p99 ${ms(run.p99)} ms, ${run.non2xx} non-2xx, ${run.errors} errors; up to ${maxWorkers} Lambda workers; emulator main thread ${percent(mainThreadCpu)} of a core`,
  );
  console.log(
    '| engine | port | max open connections | at second | median | per-instance bound | bound × max workers |',
  );
  console.log('|---|---|---|---|---|---|---|');
  return (Object.keys(ports) as Engine[]).map((engine) => {
    const counts = samples.map((s) => s.connections[engine] ?? 0);
    const max = Math.max(...counts);
    const at = samples[counts.indexOf(max)]?.second;
    const bound = perInstance.bound[engine] * maxWorkers;
    const boundText = `${perInstance.bound[engine]} ${perInstance.text[engine]}`;
    console.log(
      `| ${engine} | ${ports[engine]} | ${max} | ${at} | ${median(counts)} | ${boundText} | ${bound} |`,
    );
    return {
      name: `open connections to ${engine} (:${ports[engine]}) <= per-instance pool × Lambda workers`,
      ok: max <= bound,
      detail: `max ${max} (second ${at}), median ${median(counts)}; bound ${boundText} × ${maxWorkers} workers = ${bound}`,
    };
  });
}

/** RSS after the warm-up seconds, first window against last. */
function rssCheck(samples: Sample[]): Check {
  const steady = samples.filter((s) => s.second > RSS_WARMUP_SECONDS);
  const firstWindow = steady.slice(0, RSS_WINDOW_SECONDS);
  const lastWindow = steady.slice(-RSS_WINDOW_SECONDS);
  const first = firstWindow.map((s) => s.rssMb);
  const last = lastWindow.map((s) => s.rssMb);
  const growth = median(last) / median(first) - 1;
  const offlineFirst = median(firstWindow.map((s) => s.offlineRssMb));
  const offlineLast = median(lastWindow.map((s) => s.offlineRssMb));
  const workersFirst = median(firstWindow.map((s) => s.workers));
  const workersLast = median(lastWindow.map((s) => s.workers));
  return {
    name: `RSS growth after ${RSS_WARMUP_SECONDS} s of warm-up <= ${RSS_GROWTH_BUDGET * 100} %`,
    ok: growth <= RSS_GROWTH_BUDGET,
    detail: `median RSS ${median(first).toFixed(0)} MB (s ${RSS_WARMUP_SECONDS}-${RSS_WARMUP_SECONDS + RSS_WINDOW_SECONDS}) → ${median(last).toFixed(0)} MB (last ${RSS_WINDOW_SECONDS} s): ${(growth * 100).toFixed(1)} % (of which the serverless-offline process ${offlineFirst.toFixed(0)} → ${offlineLast.toFixed(0)} MB, the rest esbuild's service); workers ${workersFirst} → ${workersLast}`,
  };
}

function mixedErrorsCheck({ run, mainThreadCpu, failedInvocations, handlerSummary }: MixedRun) {
  return {
    name: 'mixed run: errors = 0',
    ok: failuresOf(run) + failedInvocations === 0,
    detail: `${run.ok} 2xx, ${run.rps.toFixed(0)} req/s, p50 ${ms(run.p50)} ms, p99 ${ms(run.p99)} ms, ${run.non2xx} non-2xx, ${run.errors - run.timeouts} socket errors, ${run.timeouts} timeouts; emulator main thread ${percent(mainThreadCpu)} of a core; ${handlerSummary}`,
  };
}

function printEvery10Seconds(samples: Sample[]): void {
  console.log(
    '\nPer 10 s: second, workers, RSS MB (group / serverless-offline), connections mongo/cassandra/dynamodb',
  );
  for (const s of samples.filter((x) => x.second % 10 === 0)) {
    console.log(
      `${s.second}\t${s.workers}\t${s.rssMb.toFixed(0)} / ${s.offlineRssMb.toFixed(0)}\t${s.connections.mongo}/${s.connections.cassandra}/${s.connections.dynamodb}`,
    );
  }
}

export async function measureConnections(
  env: Record<string, string>,
  list: Route[],
  tokens: string[],
): Promise<{ mixed: MixedRun; checks: Check[] }> {
  const ports = enginePorts(env);
  const server = await offline(env, 'mixed');
  try {
    const mixed = await sampledMixedRun(server, ports, list, tokens);
    const checks = await connectionChecks(mixed, ports);
    checks.push(rssCheck(mixed.samples), mixedErrorsCheck(mixed));
    printEvery10Seconds(mixed.samples);
    return { mixed, checks };
  } finally {
    await server.stop();
  }
}
