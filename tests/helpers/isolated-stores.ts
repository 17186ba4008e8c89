/**
 * Fresh, empty stores on the shared local engines: a Mongo database (indexes synced), a Cassandra
 * keyspace (migrated) and DynamoDB tables (named with a prefix), all named `id`. Used per test file
 * (isolated-env.ts) and for the e2e server, so no run reads another's data or slows down as the
 * development database grows (FerretDB reads by scan).
 */
import { randomBytes } from 'node:crypto';
import { syncIndexesAt } from '../../lib/storage/mongo/indexes';
import { migrateWith } from '../../scripts/stack';
import { withDatabase } from '../../scripts/stack/mongo-url';
import { ensureTables, serverlessTables } from '../../scripts/stack/tables';

export interface IsolatedEnv {
  id: string;
  /** The stack's environment, pointed at the new stores. */
  env: Record<string, string>;
  /** What the DynamoDB table names start with (tables must be re-created after dynalite restarts). */
  tablePrefix: string;
}

/** A store name for `name`: unique per call, and valid as a database, keyspace and table prefix. */
function storeId(name: string): string {
  const base = name
    .replace(/[^a-z0-9]/gi, '')
    .toLowerCase()
    .slice(0, 20);
  return `t_${base}_${randomBytes(4).toString('hex')}`;
}

/** Creates the stores; `cassandra: false` leaves Cassandra out (messages then live in Mongo). */
export async function createIsolatedStores(
  stackEnv: Record<string, string>,
  name: string,
  { cassandra = true, mongoIndexes = true }: { cassandra?: boolean; mongoIndexes?: boolean } = {},
): Promise<IsolatedEnv> {
  const id = storeId(name);
  const tablePrefix = `${id}-`;
  const env: Record<string, string> = {
    ...stackEnv,
    MONGODB_URL: withDatabase(stackEnv.MONGODB_URL as string, id),
  };
  if (mongoIndexes) await syncIndexesAt(env.MONGODB_URL as string);
  if (stackEnv.DYNAMODB_ENDPOINT) {
    Object.assign(
      env,
      await ensureTables(stackEnv.DYNAMODB_ENDPOINT, serverlessTables(), tablePrefix),
    );
  }
  if (cassandra && stackEnv.CASSANDRA_CONTACT_POINTS) {
    env.CASSANDRA_KEYSPACE = id;
    await migrateWith(env);
  } else {
    for (const key of ['CASSANDRA_CONTACT_POINTS', 'CASSANDRA_LOCAL_DC', 'CASSANDRA_KEYSPACE']) {
      delete env[key];
    }
  }
  return { id, env, tablePrefix };
}
