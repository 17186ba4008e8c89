/**
 * The one Cassandra client of this Lambda instance (Astra DB in production, a self-run node
 * locally), created on first use and reused by every later invocation of a warm instance.
 *
 * Like the Mongo client: the connect promise is memoised before it is awaited and cleared when it
 * rejects. Timeouts are short so a down cluster answers 503 in seconds; a constant reconnection
 * delay brings a restarted node back within a second or two instead of the driver's default
 * exponential back-off that grows to 10 minutes.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auth, Client, type DseClientOptions, policies, types } from 'cassandra-driver';
import { type CassandraConfig, config } from '../config';
import { logger } from '../logger';
import { isCassandraUnavailable } from './cassandra-errors';
import { RetryIdempotentTimeoutsOnce } from './cassandra-retries';
import { DatabaseUnavailableError, EngineNotConfiguredError } from './errors';

const RECONNECT_DELAY_MS = 1_000;

type ConnectionSettings = CassandraConfig & { connectTimeoutMs: number; readTimeoutMs: number };

/** Astra's secure connect bundle may arrive as base64 (e.g. from a secret); the driver wants a file. */
async function secureBundlePath(bundle: { path: string } | { base64: string }): Promise<string> {
  if ('path' in bundle) return bundle.path;
  const dir = join(tmpdir(), 'plp-astra');
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'secure-connect.zip');
  await writeFile(path, Buffer.from(bundle.base64, 'base64'), { mode: 0o600 });
  return path;
}

/** Driver options for `settings`; `withKeyspace: false` for the schema migrator, which may create it. */
export async function cassandraClientOptions(
  settings: ConnectionSettings,
  { withKeyspace = true }: { withKeyspace?: boolean } = {},
): Promise<DseClientOptions> {
  const common: DseClientOptions = {
    ...(withKeyspace ? { keyspace: settings.keyspace } : {}),
    socketOptions: {
      connectTimeout: settings.connectTimeoutMs,
      readTimeout: settings.readTimeoutMs,
    },
    policies: {
      reconnection: new policies.reconnection.ConstantReconnectionPolicy(RECONNECT_DELAY_MS),
      retry: new RetryIdempotentTimeoutsOnce(),
    },
    queryOptions: {
      consistency: types.consistencies.localQuorum,
      serialConsistency: types.consistencies.localSerial,
      prepare: true,
    },
    // bigint columns hold Snowflakes: bind and read them as JS BigInt, never as lossy numbers.
    encoding: { useBigIntAsLong: true, useBigIntAsVarint: true },
    // DataStax Insights reporting is telemetry we do not want on every cold start.
    monitorReporting: { enabled: false },
  };
  if (settings.kind === 'astra') {
    return {
      ...common,
      cloud: { secureConnectBundle: await secureBundlePath(settings.secureBundle) },
      authProvider: new auth.PlainTextAuthProvider('token', settings.token),
    };
  }
  return {
    ...common,
    contactPoints: settings.contactPoints,
    localDataCenter: settings.localDataCenter,
    ...(settings.credentials
      ? {
          authProvider: new auth.PlainTextAuthProvider(
            settings.credentials.username,
            settings.credentials.password,
          ),
        }
      : {}),
  };
}

/** The Cassandra settings of this process, or EngineNotConfiguredError. */
export function cassandraSettings(): ConnectionSettings {
  const settings = config().cassandra;
  if (!settings) throw new EngineNotConfiguredError('cassandra');
  return settings;
}

/** Connects a new client with `options`, shutting it down again if the connect fails. */
export async function connectCassandra(options: DseClientOptions): Promise<Client> {
  const client = new Client(options);
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.shutdown();
    if (isCassandraUnavailable(error)) {
      throw new DatabaseUnavailableError('cassandra', { cause: error });
    }
    throw error;
  }
}

/**
 * Logs the driver's view of each node going down and coming back (a warning either way: on a
 * healthy cluster neither happens). A node's return is the driver reconnecting to it, which the
 * ConstantReconnectionPolicy retries every RECONNECT_DELAY_MS; verify:ring counts these lines.
 */
function logNodeChanges(client: Client): Client {
  client.on('hostDown', (host: { address: string }) =>
    logger.warn('cassandra node down', { node: host.address }),
  );
  client.on('hostUp', (host: { address: string }) =>
    logger.warn('cassandra node up', { node: host.address }),
  );
  return client;
}

let connecting: Promise<Client> | undefined;

/** Returns the connected client, connecting on first use. Rejects with DatabaseUnavailableError. */
export function getCassandra(): Promise<Client> {
  if (!connecting) {
    connecting = cassandraClientOptions(cassandraSettings())
      .then(connectCassandra)
      .then(logNodeChanges)
      .catch((error: unknown) => {
        connecting = undefined;
        throw error;
      });
  }
  return connecting;
}

/** Runs `operation` on the client, turning connectivity failures into DatabaseUnavailableError. */
export async function withCassandra<T>(operation: (client: Client) => Promise<T>): Promise<T> {
  const client = await getCassandra();
  try {
    return await operation(client);
  } catch (error) {
    if (isCassandraUnavailable(error)) {
      throw new DatabaseUnavailableError('cassandra', { cause: error });
    }
    throw error;
  }
}

/** Round trip to a coordinator; used by the health check. */
export function pingCassandra(): Promise<void> {
  return withCassandra(async (client) => {
    await client.execute('SELECT release_version FROM system.local', [], { isIdempotent: true });
  });
}

/** Shuts the client down (tests and scripts; a Lambda keeps it for the next invocation). */
export async function closeCassandra(): Promise<void> {
  const pending = connecting;
  connecting = undefined;
  if (!pending) return;
  // A connect that failed already shut its client down; only a connected client needs closing.
  const client = await pending.then(
    (connected) => connected,
    () => undefined,
  );
  await client?.shutdown();
}
