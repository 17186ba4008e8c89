/**
 * Every environment variable the backend reads, parsed once with zod.
 *
 * A missing or malformed variable throws a ConfigError that names it, so a Lambda fails its cold
 * start with a readable message instead of failing later inside a driver. `.env.example` documents
 * each variable; keep the two in step.
 */
// zod/mini, not the classic API: every function parses this at cold start, and functions without a
// request schema (not-found, logout, get-openapi) then load 27 KB of zod instead of 170 KB, and
// build these schemas without classic zod's per-instance methods. Same checks, same messages.
import * as z from 'zod/mini';
// zod/mini sets no locale: without this, a ConfigError would say only "Invalid input".
import './zod-english';

/** Thrown when the environment does not describe a usable configuration. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    message: string,
    readonly variables: string[],
  ) {
    super(message);
  }
}

const blankToUndefined = (value: unknown) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/** What classic zod's `preprocess` does: a blank value becomes undefined, then `schema` parses it. */
const unlessBlank = <T extends z.ZodMiniType>(schema: T) =>
  z.pipe(z.transform(blankToUndefined), schema);

/** An optional string where an empty value (e.g. `${env:X, ''}` in serverless.yml) means unset. */
const optionalText = unlessBlank(z.optional(z.string().check(z.trim(), z.minLength(1))));

const integer = (min: number, max: number, fallback: number) =>
  unlessBlank(
    z._default(z.pipe(z.coerce.number(), z.int().check(z.gte(min), z.lte(max))), fallback),
  );

const mongoUrl = unlessBlank(
  z
    .string({ error: 'is required' })
    .check(
      z.trim(),
      z.regex(/^mongodb(\+srv)?:\/\/[^\s]+$/, 'must be a mongodb:// or mongodb+srv:// URL'),
    ),
);

const httpUrl = unlessBlank(
  z.optional(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })),
);

/** CQL identifiers we create or use: unquoted, lower case, as Astra and Cassandra accept them. */
const keyspaceName = z
  .string()
  .check(
    z.regex(/^[a-z][a-z0-9_]{0,47}$/, 'must be a lower-case CQL identifier (a-z, 0-9, _; max 48)'),
  );

/** host or host:port, comma separated. */
const contactPoints = unlessBlank(
  z.optional(
    z.pipe(
      z.pipe(
        z.string(),
        z.transform((s: string) =>
          s
            .split(',')
            .map((p) => p.trim())
            .filter(Boolean),
        ),
      ),
      z
        .array(z.string().check(z.regex(/^[A-Za-z0-9.\-_[\]:]+$/, 'must be host or host:port')))
        .check(z.minLength(1)),
    ),
  ),
);

const tableName = unlessBlank(
  z
    .string({ error: 'is required' })
    .check(
      z.regex(
        /^[A-Za-z0-9_.-]{3,255}$/,
        'must be a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)',
      ),
    ),
);

const rawSchema = z.object({
  STAGE: unlessBlank(z._default(z.string().check(z.regex(/^[a-z0-9-]{1,32}$/)), 'dev')),
  LOG_LEVEL: unlessBlank(z._default(z.enum(['debug', 'info', 'warn', 'error']), 'info')),

  MONGODB_URL: mongoUrl,
  MONGODB_MAX_POOL_SIZE: integer(1, 100, 2),
  MONGODB_SERVER_SELECTION_TIMEOUT_MS: integer(100, 30_000, 2_500),
  // Longest wait for one operation's answer. 10 s keeps a request inside the API's 30 s; scripts
  // and benchmarks on a slow engine (FerretDB scans) may raise it.
  MONGODB_SOCKET_TIMEOUT_MS: integer(1_000, 600_000, 10_000),

  CASSANDRA_CONTACT_POINTS: contactPoints,
  CASSANDRA_LOCAL_DC: optionalText,
  CASSANDRA_KEYSPACE: unlessBlank(z.optional(keyspaceName)),
  CASSANDRA_USERNAME: optionalText,
  CASSANDRA_PASSWORD: optionalText,
  ASTRA_DB_SECURE_BUNDLE_PATH: optionalText,
  ASTRA_DB_SECURE_BUNDLE_BASE64: unlessBlank(
    z.optional(z.string().check(z.regex(/^[A-Za-z0-9+/=\s]+$/, 'must be base64'))),
  ),
  ASTRA_DB_APPLICATION_TOKEN: unlessBlank(
    z.optional(z.string().check(z.startsWith('AstraCS:', 'must be an Astra token (AstraCS:...)'))),
  ),
  ASTRA_DB_KEYSPACE: unlessBlank(z.optional(keyspaceName)),
  CASSANDRA_CONNECT_TIMEOUT_MS: integer(100, 30_000, 3_000),
  CASSANDRA_READ_TIMEOUT_MS: integer(100, 25_000, 5_000),

  AWS_REGION: unlessBlank(z._default(z.string(), 'us-east-1')),
  DYNAMODB_ENDPOINT: httpUrl,
  DYNAMODB_TIMEOUT_MS: integer(100, 25_000, 2_000),
  SESSIONS_TABLE: tableName,
  WORKER_LEASES_TABLE: tableName,
  IDEMPOTENCY_TABLE: tableName,
  CONNECTIONS_TABLE: tableName,
  CHANNEL_SUBSCRIPTIONS_TABLE: tableName,
  REALTIME_TICKETS_TABLE: tableName,
  // Checked in parseConfig: locally it may be a placeholder that serverless-offline cannot render.
  WEBSOCKET_API_ENDPOINT: optionalText,
  LAMBDA_ENDPOINT: httpUrl,
  FAN_OUT_FUNCTION: unlessBlank(z._default(z.string(), 'plp-backend-dev-realtime-fan-out')),
  // PostToConnection calls one fan-out invocation keeps in flight.
  FAN_OUT_CONCURRENCY: integer(1, 1_000, 50),

  HTTP_MAX_BODY_BYTES: integer(1_024, 6 * 1024 * 1024, 100 * 1024),
  TEACHER_SIGNUP_CODE: optionalText,
  SESSION_IDLE_MINUTES: integer(1, 24 * 60, 30),
  SESSION_ABSOLUTE_HOURS: integer(1, 90 * 24, 7 * 24),
  // Attempts per throttle window; counted before verification, a successful login gives its back.
  LOGIN_MAX_FAILURES_PER_USERNAME: integer(1, 1_000, 5),
  LOGIN_MAX_FAILURES_PER_IP: integer(1, 10_000, 30),
  LOGIN_THROTTLE_WINDOW_MINUTES: integer(1, 24 * 60, 15),
  // compute-analytics reads only results older than this (see lib/analytics/compute-job).
  ANALYTICS_SETTLE_SECONDS: integer(0, 3_600, 60),
  // serverless-offline sets IS_OFFLINE; then a session cookie may go over plain http to localhost.
  IS_OFFLINE: unlessBlank(z.optional(z.enum(['true', 'false']))),
  // log2 of scrypt's N. 17 is OWASP's minimum; tests lower it to stay fast (it is stored per hash,
  // and a hash at another cost is replaced at its user's next successful login).
  PASSWORD_HASH_LOG_N: integer(10, 18, 17),
});

type RawConfig = z.infer<typeof rawSchema>;

/** Where chat messages live: Cassandra (Astra or a self-run cluster) or, without it, MongoDB. */
export type CassandraConfig =
  | {
      kind: 'astra';
      secureBundle: { path: string } | { base64: string };
      token: string;
      keyspace: string;
    }
  | {
      kind: 'cluster';
      contactPoints: string[];
      localDataCenter: string;
      keyspace: string;
      credentials?: { username: string; password: string };
    };

export interface Config {
  stage: string;
  logLevel: RawConfig['LOG_LEVEL'];
  mongo: {
    url: string;
    maxPoolSize: number;
    serverSelectionTimeoutMs: number;
    socketTimeoutMs: number;
  };
  /** undefined: no Cassandra configured, messages are stored in MongoDB. */
  cassandra?: CassandraConfig & { connectTimeoutMs: number; readTimeoutMs: number };
  dynamo: {
    region: string;
    endpoint?: string;
    timeoutMs: number;
    sessionsTable: string;
    workerLeasesTable: string;
    idempotencyTable: string;
  };
  http: { maxBodyBytes: number };
  realtime: {
    connectionsTable: string;
    subscriptionsTable: string;
    ticketsTable: string;
    /** The API Gateway Management API of the WebSocket API; undefined: nowhere to deliver. */
    managementEndpoint?: string;
    /** Where the Lambda Invoke API is, when not AWS's own (serverless-offline). */
    lambdaEndpoint?: string;
    fanOutFunction: string;
    fanOutConcurrency: number;
  };
  analytics: { settleMs: number };
  auth: {
    passwordHashLogN: number;
    /** undefined: nobody can register as a teacher. */
    teacherSignupCode?: string;
    sessionIdleMs: number;
    sessionAbsoluteMs: number;
    loginMaxFailuresPerUsername: number;
    loginMaxFailuresPerIp: number;
    loginThrottleWindowMs: number;
  };
  offline: boolean;
}

function cassandraFrom(raw: RawConfig): CassandraConfig | undefined {
  const astraVars = {
    ASTRA_DB_SECURE_BUNDLE_PATH: raw.ASTRA_DB_SECURE_BUNDLE_PATH,
    ASTRA_DB_SECURE_BUNDLE_BASE64: raw.ASTRA_DB_SECURE_BUNDLE_BASE64,
    ASTRA_DB_APPLICATION_TOKEN: raw.ASTRA_DB_APPLICATION_TOKEN,
    ASTRA_DB_KEYSPACE: raw.ASTRA_DB_KEYSPACE,
  };
  const usesAstra = Object.values(astraVars).some((v) => v !== undefined);
  const usesCluster = raw.CASSANDRA_CONTACT_POINTS !== undefined;

  if (usesAstra && usesCluster) {
    throw new ConfigError(
      'Both ASTRA_DB_* and CASSANDRA_CONTACT_POINTS are set: configure one Cassandra, not two',
      ['CASSANDRA_CONTACT_POINTS', ...Object.keys(astraVars)],
    );
  }
  if (usesAstra) {
    const missing: string[] = [];
    if (!raw.ASTRA_DB_SECURE_BUNDLE_PATH && !raw.ASTRA_DB_SECURE_BUNDLE_BASE64) {
      missing.push('ASTRA_DB_SECURE_BUNDLE_PATH or ASTRA_DB_SECURE_BUNDLE_BASE64');
    }
    if (raw.ASTRA_DB_SECURE_BUNDLE_PATH && raw.ASTRA_DB_SECURE_BUNDLE_BASE64) {
      throw new ConfigError(
        'Set only one of ASTRA_DB_SECURE_BUNDLE_PATH and ASTRA_DB_SECURE_BUNDLE_BASE64',
        ['ASTRA_DB_SECURE_BUNDLE_PATH', 'ASTRA_DB_SECURE_BUNDLE_BASE64'],
      );
    }
    if (!raw.ASTRA_DB_APPLICATION_TOKEN) missing.push('ASTRA_DB_APPLICATION_TOKEN');
    if (!raw.ASTRA_DB_KEYSPACE) missing.push('ASTRA_DB_KEYSPACE');
    if (missing.length > 0) {
      throw new ConfigError(
        `Astra DB is partly configured; missing: ${missing.join(', ')}`,
        missing,
      );
    }
    return {
      kind: 'astra',
      secureBundle: raw.ASTRA_DB_SECURE_BUNDLE_PATH
        ? { path: raw.ASTRA_DB_SECURE_BUNDLE_PATH }
        : { base64: raw.ASTRA_DB_SECURE_BUNDLE_BASE64 as string },
      token: raw.ASTRA_DB_APPLICATION_TOKEN as string,
      keyspace: raw.ASTRA_DB_KEYSPACE as string,
    };
  }
  if (usesCluster) {
    if (!raw.CASSANDRA_LOCAL_DC) {
      throw new ConfigError('CASSANDRA_LOCAL_DC is required with CASSANDRA_CONTACT_POINTS', [
        'CASSANDRA_LOCAL_DC',
      ]);
    }
    if (Boolean(raw.CASSANDRA_USERNAME) !== Boolean(raw.CASSANDRA_PASSWORD)) {
      throw new ConfigError('Set both CASSANDRA_USERNAME and CASSANDRA_PASSWORD, or neither', [
        'CASSANDRA_USERNAME',
        'CASSANDRA_PASSWORD',
      ]);
    }
    return {
      kind: 'cluster',
      contactPoints: raw.CASSANDRA_CONTACT_POINTS as string[],
      localDataCenter: raw.CASSANDRA_LOCAL_DC,
      keyspace: raw.CASSANDRA_KEYSPACE ?? 'plp',
      ...(raw.CASSANDRA_USERNAME && raw.CASSANDRA_PASSWORD
        ? { credentials: { username: raw.CASSANDRA_USERNAME, password: raw.CASSANDRA_PASSWORD } }
        : {}),
    };
  }
  return undefined;
}

/** serverless-offline's ports when its scripts did not name others. */
const OFFLINE_WEBSOCKET_ENDPOINT = 'http://127.0.0.1:3001';
const OFFLINE_LAMBDA_ENDPOINT = 'http://127.0.0.1:3002';

const isHttpUrl = (value: string) => /^https?:\/\/[^\s/]+/.test(value) && URL.canParse(value);

function realtimeFrom(raw: RawConfig): Config['realtime'] {
  const offline = raw.IS_OFFLINE === 'true';
  let managementEndpoint = raw.WEBSOCKET_API_ENDPOINT;
  if (managementEndpoint !== undefined && !isHttpUrl(managementEndpoint)) {
    // serverless-offline renders the deployed API's address (a CloudFormation reference) as text.
    if (!offline) {
      throw new ConfigError('Invalid environment: WEBSOCKET_API_ENDPOINT must be an http(s) URL', [
        'WEBSOCKET_API_ENDPOINT',
      ]);
    }
    managementEndpoint = undefined;
  }
  const lambdaEndpoint = raw.LAMBDA_ENDPOINT ?? (offline ? OFFLINE_LAMBDA_ENDPOINT : undefined);
  managementEndpoint ??= offline ? OFFLINE_WEBSOCKET_ENDPOINT : undefined;
  return {
    connectionsTable: raw.CONNECTIONS_TABLE,
    subscriptionsTable: raw.CHANNEL_SUBSCRIPTIONS_TABLE,
    ticketsTable: raw.REALTIME_TICKETS_TABLE,
    ...(managementEndpoint ? { managementEndpoint } : {}),
    ...(lambdaEndpoint ? { lambdaEndpoint } : {}),
    fanOutFunction: raw.FAN_OUT_FUNCTION,
    fanOutConcurrency: raw.FAN_OUT_CONCURRENCY,
  };
}

/** Parses an environment into a Config; throws ConfigError naming every bad variable. Pure. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const parsed = rawSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => ({
      variable: String(issue.path[0] ?? '?'),
      message: issue.message,
    }));
    throw new ConfigError(
      `Invalid environment: ${problems.map((p) => `${p.variable} ${p.message}`).join('; ')}`,
      problems.map((p) => p.variable),
    );
  }
  const raw = parsed.data;
  const cassandra = cassandraFrom(raw);
  return {
    stage: raw.STAGE,
    logLevel: raw.LOG_LEVEL,
    mongo: {
      url: raw.MONGODB_URL,
      maxPoolSize: raw.MONGODB_MAX_POOL_SIZE,
      serverSelectionTimeoutMs: raw.MONGODB_SERVER_SELECTION_TIMEOUT_MS,
      socketTimeoutMs: raw.MONGODB_SOCKET_TIMEOUT_MS,
    },
    ...(cassandra
      ? {
          cassandra: {
            ...cassandra,
            connectTimeoutMs: raw.CASSANDRA_CONNECT_TIMEOUT_MS,
            readTimeoutMs: raw.CASSANDRA_READ_TIMEOUT_MS,
          },
        }
      : {}),
    dynamo: {
      region: raw.AWS_REGION,
      ...(raw.DYNAMODB_ENDPOINT ? { endpoint: raw.DYNAMODB_ENDPOINT } : {}),
      timeoutMs: raw.DYNAMODB_TIMEOUT_MS,
      sessionsTable: raw.SESSIONS_TABLE,
      workerLeasesTable: raw.WORKER_LEASES_TABLE,
      idempotencyTable: raw.IDEMPOTENCY_TABLE,
    },
    http: { maxBodyBytes: raw.HTTP_MAX_BODY_BYTES },
    realtime: realtimeFrom(raw),
    analytics: { settleMs: raw.ANALYTICS_SETTLE_SECONDS * 1000 },
    auth: {
      passwordHashLogN: raw.PASSWORD_HASH_LOG_N,
      ...(raw.TEACHER_SIGNUP_CODE ? { teacherSignupCode: raw.TEACHER_SIGNUP_CODE } : {}),
      sessionIdleMs: raw.SESSION_IDLE_MINUTES * 60_000,
      sessionAbsoluteMs: raw.SESSION_ABSOLUTE_HOURS * 3_600_000,
      loginMaxFailuresPerUsername: raw.LOGIN_MAX_FAILURES_PER_USERNAME,
      loginMaxFailuresPerIp: raw.LOGIN_MAX_FAILURES_PER_IP,
      loginThrottleWindowMs: raw.LOGIN_THROTTLE_WINDOW_MINUTES * 60_000,
    },
    offline: raw.IS_OFFLINE === 'true',
  };
}

let cached: Config | undefined;

/** The configuration of this process, parsed from process.env on first use and then reused. */
export function config(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}

/** Forgets the parsed configuration; for tests and scripts that change process.env. */
export function resetConfig(): void {
  cached = undefined;
}
