/**
 * Which engines the local stack runs and how the app reaches them.
 *
 * An engine is started locally unless its variables point elsewhere: MONGODB_URL (Atlas or your
 * own mongod), ASTRA_DB_* or CASSANDRA_CONTACT_POINTS, DYNAMODB_ENDPOINT. LOCAL_STACK_CASSANDRA=off
 * runs without Cassandra, so messages live in MongoDB.
 */

export type EngineName = 'mongo' | 'cassandra' | 'dynamodb';

export interface StackSettings {
  mongo: { mode: 'local'; port: number } | { mode: 'external'; url: string };
  cassandra:
    | { mode: 'local'; port: number; storagePort: number; dataCenter: string }
    | { mode: 'external' }
    | { mode: 'disabled' };
  dynamodb: { mode: 'local'; port: number } | { mode: 'external'; endpoint: string };
}

const set = (value: string | undefined): value is string =>
  value !== undefined && value.trim() !== '';

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (!set(raw)) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65_535) {
    throw new Error(`${name} must be a TCP port (1-65535), got "${raw}"`);
  }
  return value;
}

/** Reads the stack's choices from the environment. Pure. */
export function stackSettings(env: NodeJS.ProcessEnv = process.env): StackSettings {
  const astra = Object.keys(env).some((key) => key.startsWith('ASTRA_DB_') && set(env[key]));
  const cassandraOff = /^(off|false|0|no)$/i.test(env.LOCAL_STACK_CASSANDRA ?? '');
  return {
    mongo: set(env.MONGODB_URL)
      ? { mode: 'external', url: env.MONGODB_URL }
      : { mode: 'local', port: port(env, 'LOCAL_MONGO_PORT', 27018) },
    cassandra:
      astra || set(env.CASSANDRA_CONTACT_POINTS)
        ? { mode: 'external' }
        : cassandraOff
          ? { mode: 'disabled' }
          : {
              mode: 'local',
              port: port(env, 'LOCAL_CASSANDRA_PORT', 9042),
              storagePort: port(env, 'LOCAL_CASSANDRA_STORAGE_PORT', 7010),
              dataCenter: 'datacenter1',
            },
    dynamodb: set(env.DYNAMODB_ENDPOINT)
      ? { mode: 'external', endpoint: env.DYNAMODB_ENDPOINT }
      : { mode: 'local', port: port(env, 'LOCAL_DYNAMO_PORT', 8005) },
  };
}

/** The connection variables the app needs to use this stack (on top of `env`). Pure. */
export function connectionEnv(
  settings: StackSettings,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const out: Record<string, string> = {
    AWS_REGION: set(env.AWS_REGION) ? env.AWS_REGION : 'us-east-1',
    // The AWS SDK would otherwise probe the EC2 metadata address for credentials.
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  out.MONGODB_URL =
    settings.mongo.mode === 'local'
      ? `mongodb://127.0.0.1:${settings.mongo.port}/plp`
      : settings.mongo.url;
  if (settings.cassandra.mode === 'external') {
    for (const [key, value] of Object.entries(env)) {
      if (/^(CASSANDRA|ASTRA_DB)_/.test(key) && set(value)) out[key] = value;
    }
  }
  if (settings.cassandra.mode === 'local') {
    out.CASSANDRA_CONTACT_POINTS = `127.0.0.1:${settings.cassandra.port}`;
    out.CASSANDRA_LOCAL_DC = settings.cassandra.dataCenter;
    out.CASSANDRA_KEYSPACE = env.CASSANDRA_KEYSPACE || 'plp';
  }
  if (settings.dynamodb.mode === 'local') {
    out.DYNAMODB_ENDPOINT = `http://127.0.0.1:${settings.dynamodb.port}`;
    out.AWS_ACCESS_KEY_ID = set(env.AWS_ACCESS_KEY_ID) ? env.AWS_ACCESS_KEY_ID : 'local';
    out.AWS_SECRET_ACCESS_KEY = set(env.AWS_SECRET_ACCESS_KEY)
      ? env.AWS_SECRET_ACCESS_KEY
      : 'local';
  } else {
    out.DYNAMODB_ENDPOINT = settings.dynamodb.endpoint;
  }
  return out;
}
