/**
 * npm run migrate:cassandra: applies shared/cassandra-schema.ts to the configured Cassandra (Astra
 * or a cluster). Part of deploy (`npm run deploy`); the local stack runs it on every start.
 */
import { migrateCassandra } from '../lib/db/cassandra-migrate';
import { loadDotEnv } from './stack';

async function main(): Promise<void> {
  loadDotEnv();
  const report = await migrateCassandra();
  console.log(
    `cassandra keyspace ${report.keyspace}: applied [${report.applied.join(', ')}], already there [${report.alreadyApplied.join(', ')}]${report.createdKeyspace ? ' (keyspace created)' : ''}`,
  );
}

main().catch((error: unknown) => {
  console.error('migrate:cassandra failed:', error instanceof Error ? error.message : error);
  process.exit(1);
});
