/**
 * npm run deploy [-- --stage prod]: creates the MongoDB indexes, applies the Cassandra schema (when
 * Cassandra is configured), then `serverless deploy`. Schema first: new code may need new tables, old code ignores them.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseConfig } from '../lib/config';
import { migrateCassandra } from '../lib/db/cassandra-migrate';
import { SERVERLESS_CLI_ENV } from './cli-env';
import { loadDotEnv } from './stack';
import { projectRoot } from './stack/paths';

async function main(): Promise<number> {
  loadDotEnv();
  // Table names are set by serverless.yml for the functions; any valid name does for this check.
  const cassandra = parseConfig({
    SESSIONS_TABLE: 'deploy-check',
    WORKER_LEASES_TABLE: 'deploy-check',
    IDEMPOTENCY_TABLE: 'deploy-check',
    CONNECTIONS_TABLE: 'plp-connections',
    CHANNEL_SUBSCRIPTIONS_TABLE: 'plp-channel-subscriptions',
    REALTIME_TICKETS_TABLE: 'plp-realtime-tickets',
    ...process.env,
  }).cassandra;
  const { syncIndexesAt } = await import('../lib/storage/mongo/indexes');
  if (process.env.MONGODB_URL) {
    const reports = await syncIndexesAt(process.env.MONGODB_URL);
    console.log(`mongo indexes in sync for ${reports.length} collections`);
  }
  if (cassandra) {
    const report = await migrateCassandra({ settings: cassandra });
    console.log(`cassandra schema: applied [${report.applied.join(', ')}]`);
  }
  const result = spawnSync(
    join(projectRoot, 'node_modules', '.bin', 'serverless'),
    ['deploy', ...process.argv.slice(2)],
    { stdio: 'inherit', env: { ...process.env, ...SERVERLESS_CLI_ENV } },
  );
  return result.status ?? 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('deploy failed:', error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
