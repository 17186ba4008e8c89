/**
 * The local stack: start, stop and report the engines the project needs, and the environment the
 * app uses to reach them. Used by `npm run stack`, `npm run dev`, the test harness and test-db.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../lib/config';
import { migrateCassandra } from '../../lib/db/cassandra-migrate';
import { syncIndexesAt } from '../../lib/storage/mongo/indexes';
import { cassandra } from './cassandra';
import { dynalite } from './dynalite';
import type { EngineStatus, LocalEngine } from './engine';
import { ferretdb } from './ferretdb';
import { projectRoot } from './paths';
import { connectionEnv, type EngineName, type StackSettings, stackSettings } from './settings';
import { ensureTables, serverlessTables } from './tables';

/** Loads .env (if present) into process.env without overriding what is already set. */
export function loadDotEnv(): void {
  const file = join(projectRoot, '.env');
  if (existsSync(file)) process.loadEnvFile(file);
  // Locally we run Node 20 with a pinned AWS SDK (Lambda runs Node 22); its upgrade notice is noise.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

/** The engines this stack runs itself (not those configured to be elsewhere). */
export function localEngines(settings: StackSettings): LocalEngine[] {
  const engines: LocalEngine[] = [];
  if (settings.mongo.mode === 'local') engines.push(ferretdb(settings.mongo.port));
  if (settings.cassandra.mode === 'local') {
    const { port, storagePort, dataCenter } = settings.cassandra;
    engines.push(cassandra(port, storagePort, dataCenter));
  }
  if (settings.dynamodb.mode === 'local') engines.push(dynalite(settings.dynamodb.port));
  return engines;
}

export interface StackReport {
  engine: EngineName;
  label: string;
  state: EngineStatus['state'] | 'configured' | 'disabled';
  where: string;
  pid?: number;
}

/** One aligned line per engine, e.g. `mongo      FerretDB v1.24.2   started  mongodb://…  pid 42`. */
export function formatReport(report: StackReport): string {
  const pid = report.pid ? `  pid ${report.pid}` : '';
  return `${report.engine.padEnd(10)} ${report.label.padEnd(18)} ${report.state.padEnd(10)} ${report.where}${pid}`;
}

function remoteReports(settings: StackSettings): StackReport[] {
  const reports: StackReport[] = [];
  if (settings.mongo.mode === 'external') {
    reports.push({
      engine: 'mongo',
      label: 'MONGODB_URL',
      state: 'configured',
      where: '(your server)',
    });
  }
  if (settings.cassandra.mode === 'external') {
    reports.push({
      engine: 'cassandra',
      label: 'ASTRA_DB_*/CASSANDRA_*',
      state: 'configured',
      where: '(your cluster)',
    });
  }
  if (settings.cassandra.mode === 'disabled') {
    reports.push({
      engine: 'cassandra',
      label: '-',
      state: 'disabled',
      where: 'messages are stored in MongoDB',
    });
  }
  if (settings.dynamodb.mode === 'external') {
    reports.push({
      engine: 'dynamodb',
      label: 'DYNAMODB_ENDPOINT',
      state: 'configured',
      where: settings.dynamodb.endpoint,
    });
  }
  return reports;
}

export interface StartOptions {
  /** The user's environment, which says what runs elsewhere (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Only these engines (default: all local ones). */
  only?: EngineName[];
  /** Called with each report line as engines come up. */
  print?: (line: string) => void;
}

/**
 * Installs (first time) and starts every local engine, applies the Cassandra schema and creates the
 * DynamoDB tables of serverless.yml; returns the variables the app needs to use the stack.
 */
export async function startStack(options: StartOptions = {}): Promise<Record<string, string>> {
  loadDotEnv();
  const userEnv = options.env ?? process.env;
  const settings = stackSettings(userEnv);
  const print = options.print ?? (() => undefined);
  const engines = localEngines(settings).filter(
    (e) => !options.only || options.only.includes(e.name),
  );

  // Engines start in parallel, so first-time installs (Go build, Maven download) overlap too.
  await Promise.all(
    engines.map(async (engine) => {
      const status = await engine.start();
      print(formatReport({ engine: engine.name, label: engine.label, ...status }));
    }),
  );
  for (const report of remoteReports(settings)) print(formatReport(report));

  const env: Record<string, string> = connectionEnv(settings, userEnv);
  if (settings.dynamodb.mode === 'local' && (!options.only || options.only.includes('dynamodb'))) {
    Object.assign(env, await ensureTables(env.DYNAMODB_ENDPOINT as string, serverlessTables()));
  } else {
    for (const table of serverlessTables()) env[table.envVar] = table.input.TableName as string;
  }
  if (!options.only || options.only.includes('mongo')) {
    const reports = await syncIndexesAt(env.MONGODB_URL as string);
    print(`mongo      indexes in sync for ${reports.length} collections`);
  }
  if (
    settings.cassandra.mode !== 'disabled' &&
    (!options.only || options.only.includes('cassandra'))
  ) {
    const report = await migrateWith(env);
    print(
      `cassandra  schema v${report.latest} in keyspace ${report.keyspace}${report.applied.length ? ` (applied ${report.applied.join(', ')})` : ''}`,
    );
  }
  return env;
}

/** Applies the Cassandra migrations to the Cassandra that `env` (the app's environment) names. */
export async function migrateWith(env: Record<string, string>) {
  const settings = parseConfig(env).cassandra;
  if (!settings) throw new Error('migrateWith: the environment configures no Cassandra');
  const report = await migrateCassandra({ settings });
  return { ...report, latest: Math.max(0, ...report.applied, ...report.alreadyApplied) };
}

/** Stops the local engines this stack started (only those named in `only`, if given). */
export async function stopStack(
  only?: EngineName[],
  print: (line: string) => void = () => undefined,
  userEnv: NodeJS.ProcessEnv = process.env,
) {
  loadDotEnv();
  const engines = localEngines(stackSettings(userEnv)).filter(
    (e) => !only || only.includes(e.name),
  );
  await Promise.all(
    engines.map(async (engine) => {
      const stopped = await engine.stop();
      print(
        `${engine.name.padEnd(10)} ${engine.label.padEnd(18)} ${stopped ? 'stopped' : 'not running (nothing to stop)'}`,
      );
    }),
  );
}

/** The state of every engine, without starting anything. */
export async function stackStatus(
  userEnv: NodeJS.ProcessEnv = process.env,
): Promise<StackReport[]> {
  loadDotEnv();
  const settings = stackSettings(userEnv);
  const local = await Promise.all(
    localEngines(settings).map(async (engine) => ({
      engine: engine.name,
      label: engine.label,
      ...(await engine.status()),
    })),
  );
  return [...local, ...remoteReports(settings)];
}
