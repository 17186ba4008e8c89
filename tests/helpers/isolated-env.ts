/**
 * Per-test-file isolation on the shared engines: its own Mongo database, Cassandra keyspace
 * (migrated) and DynamoDB tables, so files running in parallel never see each other's data.
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { resetConfig } from '../../lib/config';
import { syncIndexesAt } from '../../lib/storage/mongo/indexes';
import { migrateWith } from '../../scripts/stack';
import { withDatabase } from '../../scripts/stack/mongo-url';
import { ensureTables, serverlessTables } from '../../scripts/stack/tables';

export interface IsolatedEnv {
  id: string;
  env: Record<string, string>;
}

/**
 * Points process.env (and lib/config) at fresh, empty stores named after `name`.
 * Call in beforeAll; the stores are left behind for inspection and are cheap (named per run).
 */
export async function useIsolatedEnv(
  name: string,
  { cassandra = true, mongoIndexes = true }: { cassandra?: boolean; mongoIndexes?: boolean } = {},
): Promise<IsolatedEnv> {
  const stackEnv = inject('stackEnv');
  const id = `t_${name
    .replace(/[^a-z0-9]/gi, '')
    .toLowerCase()
    .slice(0, 20)}_${randomBytes(4).toString('hex')}`;
  const env: Record<string, string> = {
    ...stackEnv,
    MONGODB_URL: withDatabase(stackEnv.MONGODB_URL as string, id),
    LOG_LEVEL: 'warn',
    // Cheap hashes in tests; the cost is stored per hash, so verification is unaffected.
    PASSWORD_HASH_LOG_N: '10',
  };
  if (mongoIndexes) await syncIndexesAt(env.MONGODB_URL as string);
  if (stackEnv.DYNAMODB_ENDPOINT) {
    Object.assign(
      env,
      await ensureTables(stackEnv.DYNAMODB_ENDPOINT, serverlessTables(), `${id}-`),
    );
  }
  if (cassandra && stackEnv.CASSANDRA_CONTACT_POINTS) {
    env.CASSANDRA_KEYSPACE = id;
    await migrateWith(env);
  } else {
    for (const key of ['CASSANDRA_CONTACT_POINTS', 'CASSANDRA_LOCAL_DC', 'CASSANDRA_KEYSPACE']) {
      delete env[key];
      delete process.env[key];
    }
  }
  Object.assign(process.env, env);
  resetConfig();
  return { id, env };
}
