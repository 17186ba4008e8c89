/**
 * npm run verify:load, through serverless-offline on the local stack.
 *
 * load: warm latency and throughput with autocannon at 10 and 50 connections (BENCH_LOAD_SECONDS
 *   per run, default 30) for GET /api/channels/:id/messages, POST /api/messages,
 *   GET /api/tests/:id/questions and GET /api/users/me, each route on a serverless-offline of its
 *   own, its Lambda workers started first by bursts with no other load, then warmed (see warmUp:
 *   a cold start is not a warm request), and kept alive while idle as Lambda keeps them. Check: no
 *   errors (non-2xx, socket errors, timeouts); the workers started during the measured run are
 *   reported. Next to each, the same storage work made in-process at the same concurrency
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
 * Data lives in a database and keyspace of its own (dropped at the end). The parts live in
 * verify/load/: settings, fixture, routes, the HTTP load and warm-up, the in-process load, the
 * two measurements and their reports.
 */
import { resetConfig } from '../lib/config';
import { closeCassandra, withCassandra } from '../lib/db/cassandra';
import { closeDynamo } from '../lib/db/dynamo';
import { closeMongo, withMongo } from '../lib/db/mongo';
import { syncIndexesAt } from '../lib/storage/mongo/indexes';
import { drivenServerSettings } from '../scripts/offline-server';
import { migrateWith, startStack } from '../scripts/stack';
import { withDatabase } from '../scripts/stack/mongo-url';
import { seed } from './load/fixture';
import { type InProcessRun, inProcessLoad } from './load/in-process';
import { measureConnections } from './load/measure-connections';
import { loadChecks, measureLoad, printLoadTable } from './load/measure-load';
import { type Route, routes } from './load/routes';
import {
  CONNECTION_COUNTS,
  HISTORY_MESSAGES,
  INPROCESS_SECONDS,
  QUESTIONS,
  ROUTE_FILTER,
  RUN_MIXED,
  STUDENTS,
} from './load/settings';
import { reportChecks } from './report';

/**
 * In-process first, while nothing else runs. One client per engine in this process, with a
 * Mongo pool as large as the concurrency: each HTTP request has a Lambda instance (and its pool)
 * of its own, so a shared pool of 2 here would measure queueing, not the storage calls.
 */
async function measureInProcess(list: Route[], tokens: string[]) {
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
  return inProcess;
}

/** The stack's settings with a database and keyspace of this run's own (`plp_<stamp>`). */
async function loadEnv(stamp: string): Promise<Record<string, string>> {
  const stackEnv = await startStack();
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
  return env;
}

async function main(): Promise<void> {
  const startedAt = performance.now();
  const stamp = `load_${Date.now()}`;
  const env = await loadEnv(stamp);
  const fixture = await seed();
  const list = routes(fixture).filter(
    (route) => ROUTE_FILTER.length === 0 || ROUTE_FILTER.some((part) => route.name.includes(part)),
  );
  const tokens = fixture.studentTokens;
  console.log(
    `fixture: ${STUDENTS} students and a teacher, channel ${fixture.channelId} with ${HISTORY_MESSAGES} messages, test ${fixture.testId} with ${QUESTIONS} questions (${((performance.now() - startedAt) / 1000).toFixed(0)} s)`,
  );
  const inProcess = await measureInProcess(list, tokens);

  const results = await measureLoad(env, list, tokens, inProcess);
  printLoadTable(results);
  // A run narrowed by BENCH_LOAD_ROUTES says so, and is no proof of the whole item.
  const narrowed = ROUTE_FILTER.length ? ` (only routes matching ${ROUTE_FILTER.join(', ')})` : '';
  reportChecks(
    'load',
    `Warm latency and throughput through serverless-offline${narrowed}`,
    loadChecks(results).map((check) => ({ ...check, name: `${check.name}${narrowed}` })),
  );

  if (RUN_MIXED) {
    const { checks } = await measureConnections(env, list, tokens);
    reportChecks('connections', 'Open connections and RSS during a mixed load run', checks);
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
