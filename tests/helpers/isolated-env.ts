/**
 * Per-test-file isolation on the shared engines: its own Mongo database, Cassandra keyspace
 * (migrated) and DynamoDB tables, so files running in parallel never see each other's data.
 */
import { inject } from 'vitest';
import { resetConfig } from '../../lib/config';
import { createIsolatedStores, type IsolatedEnv } from './isolated-stores';

export type { IsolatedEnv } from './isolated-stores';

/**
 * Points process.env (and lib/config) at fresh, empty stores named after `name`.
 * Call in beforeAll; the stores are left behind for inspection and are cheap (named per run).
 */
export async function useIsolatedEnv(
  name: string,
  options: { cassandra?: boolean; mongoIndexes?: boolean } = {},
): Promise<IsolatedEnv> {
  const isolated = await createIsolatedStores(inject('stackEnv'), name, options);
  const env: Record<string, string> = {
    ...isolated.env,
    LOG_LEVEL: 'warn',
    // Cheap hashes in tests; the cost is stored per hash, so verification is unaffected.
    PASSWORD_HASH_LOG_N: '10',
  };
  if (!env.CASSANDRA_CONTACT_POINTS) {
    for (const key of ['CASSANDRA_CONTACT_POINTS', 'CASSANDRA_LOCAL_DC', 'CASSANDRA_KEYSPACE']) {
      delete process.env[key];
    }
  }
  Object.assign(process.env, env);
  resetConfig();
  return { ...isolated, env };
}
