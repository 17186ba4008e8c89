import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, config, parseConfig, resetConfig } from '../../lib/config';

const BASE = {
  MONGODB_URL: 'mongodb://127.0.0.1:27018/plp',
  SESSIONS_TABLE: 'plp-backend-dev-sessions',
  WORKER_LEASES_TABLE: 'plp-backend-dev-worker-leases',
  IDEMPOTENCY_TABLE: 'plp-backend-dev-idempotency',
  CONNECTIONS_TABLE: 'plp-connections',
  CHANNEL_SUBSCRIPTIONS_TABLE: 'plp-channel-subscriptions',
  REALTIME_TICKETS_TABLE: 'plp-realtime-tickets',
} as const;

/** Parses BASE + overrides, expecting a ConfigError; returns it. */
function configError(overrides: Record<string, string | undefined>): ConfigError {
  try {
    parseConfig({ ...BASE, ...overrides });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`parseConfig accepted ${JSON.stringify(overrides)}`);
}

/** The variable must be named both in the message and in `.variables`. */
function expectNames(error: ConfigError, ...variables: string[]) {
  expect(error.name).toBe('ConfigError');
  for (const variable of variables) {
    expect(error.message).toContain(variable);
    expect(error.variables).toContain(variable);
  }
}

const CLUSTER = {
  CASSANDRA_CONTACT_POINTS: '10.0.0.1:9042, 10.0.0.2 ,cass-3.local',
  CASSANDRA_LOCAL_DC: 'dc1',
};

const ASTRA = {
  ASTRA_DB_SECURE_BUNDLE_PATH: '/opt/secure-connect-plp.zip',
  ASTRA_DB_APPLICATION_TOKEN: 'AstraCS:abc:123',
  ASTRA_DB_KEYSPACE: 'plp_prod',
};

describe('parseConfig: minimal environment and defaults', () => {
  it('accepts MONGODB_URL + SESSIONS_TABLE alone and fills every default', () => {
    const parsed = parseConfig({ ...BASE });
    expect(parsed).toEqual({
      stage: 'dev',
      logLevel: 'info',
      mongo: {
        url: BASE.MONGODB_URL,
        maxPoolSize: 2,
        serverSelectionTimeoutMs: 2500,
        socketTimeoutMs: 10_000,
      },
      dynamo: {
        region: 'us-east-1',
        timeoutMs: 2000,
        sessionsTable: BASE.SESSIONS_TABLE,
        workerLeasesTable: BASE.WORKER_LEASES_TABLE,
        idempotencyTable: BASE.IDEMPOTENCY_TABLE,
      },
      http: { maxBodyBytes: 102_400 },
      realtime: {
        connectionsTable: BASE.CONNECTIONS_TABLE,
        subscriptionsTable: BASE.CHANNEL_SUBSCRIPTIONS_TABLE,
        ticketsTable: BASE.REALTIME_TICKETS_TABLE,
        fanOutFunction: 'plp-backend-dev-realtime-fan-out',
        fanOutConcurrency: 50,
      },
      analytics: { settleMs: 60_000 },
      auth: {
        passwordHashLogN: 17,
        sessionIdleMs: 30 * 60_000,
        sessionAbsoluteMs: 7 * 24 * 3_600_000,
        loginMaxFailuresPerUsername: 5,
        loginMaxFailuresPerIp: 30,
        loginThrottleWindowMs: 15 * 60_000,
      },
      offline: false,
    });
    expect(parsed.cassandra).toBeUndefined();
    expect('cassandra' in parsed).toBe(false);
    expect('endpoint' in parsed.dynamo).toBe(false);
  });

  it('treats blank strings (as serverless.yml passes unset variables) as unset', () => {
    const parsed = parseConfig({
      ...BASE,
      STAGE: '',
      LOG_LEVEL: '  ',
      MONGODB_MAX_POOL_SIZE: '',
      MONGODB_SERVER_SELECTION_TIMEOUT_MS: ' ',
      CASSANDRA_CONTACT_POINTS: '',
      CASSANDRA_LOCAL_DC: '',
      CASSANDRA_KEYSPACE: '',
      CASSANDRA_USERNAME: '',
      CASSANDRA_PASSWORD: '',
      CASSANDRA_CONNECT_TIMEOUT_MS: '',
      CASSANDRA_READ_TIMEOUT_MS: '',
      ASTRA_DB_SECURE_BUNDLE_PATH: '',
      ASTRA_DB_SECURE_BUNDLE_BASE64: '',
      ASTRA_DB_APPLICATION_TOKEN: '',
      ASTRA_DB_KEYSPACE: '',
      AWS_REGION: '',
      DYNAMODB_ENDPOINT: '',
      DYNAMODB_TIMEOUT_MS: '',
      HTTP_MAX_BODY_BYTES: '',
    });
    expect(parsed.stage).toBe('dev');
    expect(parsed.logLevel).toBe('info');
    expect(parsed.mongo.maxPoolSize).toBe(2);
    expect(parsed.mongo.serverSelectionTimeoutMs).toBe(2500);
    expect(parsed.cassandra).toBeUndefined();
    expect(parsed.dynamo).toEqual({
      region: 'us-east-1',
      timeoutMs: 2000,
      sessionsTable: BASE.SESSIONS_TABLE,
      workerLeasesTable: BASE.WORKER_LEASES_TABLE,
      idempotencyTable: BASE.IDEMPOTENCY_TABLE,
    });
    expect(parsed.http.maxBodyBytes).toBe(102_400);
  });

  it('uses the values given instead of the defaults', () => {
    const parsed = parseConfig({
      ...BASE,
      STAGE: 'prod',
      LOG_LEVEL: 'debug',
      MONGODB_MAX_POOL_SIZE: '10',
      MONGODB_SERVER_SELECTION_TIMEOUT_MS: '5000',
      MONGODB_SOCKET_TIMEOUT_MS: '60000',
      AWS_REGION: 'eu-west-1',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:8005',
      DYNAMODB_TIMEOUT_MS: '1500',
      HTTP_MAX_BODY_BYTES: '2048',
      ANALYTICS_SETTLE_SECONDS: '0',
    });
    expect(parsed.stage).toBe('prod');
    expect(parsed.logLevel).toBe('debug');
    expect(parsed.mongo).toEqual({
      url: BASE.MONGODB_URL,
      maxPoolSize: 10,
      serverSelectionTimeoutMs: 5000,
      socketTimeoutMs: 60_000,
    });
    expect(parsed.dynamo).toEqual({
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:8005',
      timeoutMs: 1500,
      sessionsTable: BASE.SESSIONS_TABLE,
      workerLeasesTable: BASE.WORKER_LEASES_TABLE,
      idempotencyTable: BASE.IDEMPOTENCY_TABLE,
    });
    expect(parsed.http.maxBodyBytes).toBe(2048);
    expect(parsed.analytics.settleMs).toBe(0);
  });

  it('accepts mongodb+srv URLs and trims the URL', () => {
    const url = 'mongodb+srv://user:pw@cluster0.example.mongodb.net/plp?retryWrites=true';
    expect(parseConfig({ ...BASE, MONGODB_URL: `  ${url} ` }).mongo.url).toBe(url);
  });

  it('accepts the integer bounds themselves', () => {
    const low = parseConfig({
      ...BASE,
      MONGODB_MAX_POOL_SIZE: '1',
      MONGODB_SERVER_SELECTION_TIMEOUT_MS: '100',
      HTTP_MAX_BODY_BYTES: '1024',
    });
    expect(low.mongo.maxPoolSize).toBe(1);
    expect(low.mongo.serverSelectionTimeoutMs).toBe(100);
    expect(low.http.maxBodyBytes).toBe(1024);
    const high = parseConfig({
      ...BASE,
      MONGODB_MAX_POOL_SIZE: '100',
      MONGODB_SERVER_SELECTION_TIMEOUT_MS: '30000',
      HTTP_MAX_BODY_BYTES: String(6 * 1024 * 1024),
    });
    expect(high.mongo.maxPoolSize).toBe(100);
    expect(high.mongo.serverSelectionTimeoutMs).toBe(30_000);
    expect(high.http.maxBodyBytes).toBe(6 * 1024 * 1024);
  });
});

describe('parseConfig: missing and malformed variables', () => {
  it('names MONGODB_URL when it is missing', () => {
    const error = configError({ MONGODB_URL: undefined });
    expectNames(error, 'MONGODB_URL');
    expect(error.variables).toEqual(['MONGODB_URL']);
  });

  it('names SESSIONS_TABLE when it is missing', () => {
    const error = configError({ SESSIONS_TABLE: undefined });
    expectNames(error, 'SESSIONS_TABLE');
    expect(error.variables).toEqual(['SESSIONS_TABLE']);
  });

  it.each(['MONGODB_URL', 'SESSIONS_TABLE'])('says a blank %s "is required"', (name) => {
    const error = configError({ [name]: '   ' });
    expect(error.variables).toEqual([name]);
    expect(error.message).toContain(`${name} is required`);
  });

  it('names both when both are missing', () => {
    const error = (() => {
      try {
        parseConfig({});
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('parseConfig({}) did not throw');
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expectNames(error, 'MONGODB_URL', 'SESSIONS_TABLE');
  });

  it.each([
    'postgres://127.0.0.1/plp',
    'http://127.0.0.1:27017',
    'mongodb://',
    'mongodb://host with space/db',
    'localhost:27017',
    '',
  ])('rejects MONGODB_URL %j', (url) => {
    const error = configError({ MONGODB_URL: url });
    expectNames(error, 'MONGODB_URL');
  });

  it.each([
    ['MONGODB_MAX_POOL_SIZE', 'ten'],
    ['MONGODB_MAX_POOL_SIZE', '2.5'],
    ['MONGODB_MAX_POOL_SIZE', '0'],
    ['MONGODB_MAX_POOL_SIZE', '101'],
    ['MONGODB_SERVER_SELECTION_TIMEOUT_MS', 'soon'],
    ['MONGODB_SERVER_SELECTION_TIMEOUT_MS', '99'],
    ['MONGODB_SOCKET_TIMEOUT_MS', '999'],
    ['MONGODB_SOCKET_TIMEOUT_MS', '600001'],
    ['MONGODB_SERVER_SELECTION_TIMEOUT_MS', '30001'],
    ['CASSANDRA_CONNECT_TIMEOUT_MS', 'abc'],
    ['CASSANDRA_CONNECT_TIMEOUT_MS', '50'],
    ['CASSANDRA_READ_TIMEOUT_MS', '25001'],
    ['DYNAMODB_TIMEOUT_MS', '-5'],
    ['DYNAMODB_TIMEOUT_MS', '2s'],
    ['HTTP_MAX_BODY_BYTES', '1023'],
    ['HTTP_MAX_BODY_BYTES', String(6 * 1024 * 1024 + 1)],
    ['HTTP_MAX_BODY_BYTES', 'lots'],
    ['ANALYTICS_SETTLE_SECONDS', '-1'],
    ['ANALYTICS_SETTLE_SECONDS', '3601'],
  ])('rejects %s=%j naming the variable', (variable, value) => {
    const error = configError({ [variable]: value });
    expectNames(error, variable);
    expect(error.variables).toEqual([variable]);
  });

  it.each(['ab', 'has space', 'sessions/table', 'x'.repeat(256)])(
    'rejects SESSIONS_TABLE %j',
    (table) => {
      expectNames(configError({ SESSIONS_TABLE: table }), 'SESSIONS_TABLE');
    },
  );

  it.each([
    ['CASSANDRA_KEYSPACE', 'Plp'],
    ['CASSANDRA_KEYSPACE', '1plp'],
    ['CASSANDRA_KEYSPACE', 'plp-dev'],
    ['CASSANDRA_KEYSPACE', `k${'a'.repeat(48)}`],
    ['ASTRA_DB_KEYSPACE', 'my keyspace'],
  ])('rejects %s=%j', (variable, keyspace) => {
    expectNames(configError({ [variable]: keyspace }), variable);
  });

  it.each(['ftp://dynamo.local', 'not a url', 'localhost:8000'])(
    'rejects DYNAMODB_ENDPOINT %j',
    (endpoint) => {
      expectNames(configError({ DYNAMODB_ENDPOINT: endpoint }), 'DYNAMODB_ENDPOINT');
    },
  );

  it('accepts an https DYNAMODB_ENDPOINT', () => {
    const parsed = parseConfig({
      ...BASE,
      DYNAMODB_ENDPOINT: 'https://dynamodb.eu-west-1.amazonaws.com',
    });
    expect(parsed.dynamo.endpoint).toBe('https://dynamodb.eu-west-1.amazonaws.com');
  });

  it.each([
    ['LOG_LEVEL', 'verbose'],
    ['STAGE', 'Prod_Stage'],
  ])('rejects %s=%j', (variable, value) => {
    expectNames(configError({ [variable]: value }), variable);
  });

  it('names every bad variable at once, each in order of the schema', () => {
    const error = configError({
      MONGODB_URL: 'http://x',
      MONGODB_MAX_POOL_SIZE: 'many',
      SESSIONS_TABLE: 'a',
    });
    expect(error.variables).toEqual(['MONGODB_URL', 'MONGODB_MAX_POOL_SIZE', 'SESSIONS_TABLE']);
    expect(error.message).toMatch(/^Invalid environment: /);
  });
});

describe('parseConfig: self-run Cassandra cluster', () => {
  it('parses a comma-separated contact point list, trimming and dropping empty entries', () => {
    const parsed = parseConfig({
      ...BASE,
      ...CLUSTER,
      CASSANDRA_CONTACT_POINTS: ' 10.0.0.1:9042, 10.0.0.2 ,,cass-3.local ,',
    });
    expect(parsed.cassandra).toEqual({
      kind: 'cluster',
      contactPoints: ['10.0.0.1:9042', '10.0.0.2', 'cass-3.local'],
      localDataCenter: 'dc1',
      keyspace: 'plp',
      connectTimeoutMs: 3000,
      readTimeoutMs: 5000,
    });
  });

  it('defaults the keyspace to plp and uses CASSANDRA_KEYSPACE when given', () => {
    expect(parseConfig({ ...BASE, ...CLUSTER }).cassandra?.keyspace).toBe('plp');
    expect(
      parseConfig({ ...BASE, ...CLUSTER, CASSANDRA_KEYSPACE: 't_abc_12' }).cassandra?.keyspace,
    ).toBe('t_abc_12');
  });

  it('uses the Cassandra timeouts given', () => {
    const parsed = parseConfig({
      ...BASE,
      ...CLUSTER,
      CASSANDRA_CONNECT_TIMEOUT_MS: '1000',
      CASSANDRA_READ_TIMEOUT_MS: '2000',
    });
    expect(parsed.cassandra?.connectTimeoutMs).toBe(1000);
    expect(parsed.cassandra?.readTimeoutMs).toBe(2000);
  });

  it('requires CASSANDRA_LOCAL_DC with CASSANDRA_CONTACT_POINTS', () => {
    const error = configError({ CASSANDRA_CONTACT_POINTS: '127.0.0.1:9042' });
    expectNames(error, 'CASSANDRA_LOCAL_DC');
    expect(error.variables).toEqual(['CASSANDRA_LOCAL_DC']);
  });

  it('treats a blank CASSANDRA_LOCAL_DC as missing', () => {
    const error = configError({ ...CLUSTER, CASSANDRA_LOCAL_DC: '   ' });
    expect(error.variables).toEqual(['CASSANDRA_LOCAL_DC']);
  });

  it('rejects a contact point list with no host in it', () => {
    expectNames(
      configError({ ...CLUSTER, CASSANDRA_CONTACT_POINTS: ' , ,' }),
      'CASSANDRA_CONTACT_POINTS',
    );
  });

  it('rejects a contact point that is not host or host:port', () => {
    expectNames(
      configError({ ...CLUSTER, CASSANDRA_CONTACT_POINTS: '10.0.0.1, http://x/y' }),
      'CASSANDRA_CONTACT_POINTS',
    );
  });

  it('accepts credentials when both username and password are set', () => {
    const parsed = parseConfig({
      ...BASE,
      ...CLUSTER,
      CASSANDRA_USERNAME: 'app',
      CASSANDRA_PASSWORD: 's3cret',
    });
    expect(parsed.cassandra).toMatchObject({
      kind: 'cluster',
      credentials: { username: 'app', password: 's3cret' },
    });
  });

  it('has no credentials when neither is set', () => {
    const parsed = parseConfig({ ...BASE, ...CLUSTER });
    expect(parsed.cassandra && 'credentials' in parsed.cassandra).toBe(false);
  });

  it.each([
    { CASSANDRA_USERNAME: 'app' },
    { CASSANDRA_PASSWORD: 's3cret' },
    { CASSANDRA_USERNAME: 'app', CASSANDRA_PASSWORD: '' },
  ])('requires both CASSANDRA_USERNAME and CASSANDRA_PASSWORD or neither (%j)', (vars) => {
    const error = configError({ ...CLUSTER, ...vars });
    expectNames(error, 'CASSANDRA_USERNAME', 'CASSANDRA_PASSWORD');
  });
});

describe('parseConfig: Astra DB', () => {
  it('accepts a secure bundle path', () => {
    const parsed = parseConfig({ ...BASE, ...ASTRA });
    expect(parsed.cassandra).toEqual({
      kind: 'astra',
      secureBundle: { path: '/opt/secure-connect-plp.zip' },
      token: 'AstraCS:abc:123',
      keyspace: 'plp_prod',
      connectTimeoutMs: 3000,
      readTimeoutMs: 5000,
    });
  });

  it('accepts a base64 secure bundle instead of a path', () => {
    const parsed = parseConfig({
      ...BASE,
      ...ASTRA,
      ASTRA_DB_SECURE_BUNDLE_PATH: undefined,
      ASTRA_DB_SECURE_BUNDLE_BASE64: 'UEsDBBQAAAAIAA==',
    });
    expect(parsed.cassandra).toMatchObject({
      kind: 'astra',
      secureBundle: { base64: 'UEsDBBQAAAAIAA==' },
    });
  });

  it('rejects a base64 bundle that is not base64', () => {
    expectNames(
      configError({
        ...ASTRA,
        ASTRA_DB_SECURE_BUNDLE_PATH: undefined,
        ASTRA_DB_SECURE_BUNDLE_BASE64: 'not*base64!',
      }),
      'ASTRA_DB_SECURE_BUNDLE_BASE64',
    );
  });

  it('rejects a token that does not start with AstraCS:', () => {
    const error = configError({ ...ASTRA, ASTRA_DB_APPLICATION_TOKEN: 'abc:123' });
    expectNames(error, 'ASTRA_DB_APPLICATION_TOKEN');
    expect(error.variables).toEqual(['ASTRA_DB_APPLICATION_TOKEN']);
  });

  it('requires ASTRA_DB_KEYSPACE', () => {
    const error = configError({ ...ASTRA, ASTRA_DB_KEYSPACE: undefined });
    expectNames(error, 'ASTRA_DB_KEYSPACE');
    expect(error.variables).toEqual(['ASTRA_DB_KEYSPACE']);
  });

  it('requires the token', () => {
    const error = configError({ ...ASTRA, ASTRA_DB_APPLICATION_TOKEN: '' });
    expect(error.variables).toEqual(['ASTRA_DB_APPLICATION_TOKEN']);
    expect(error.message).toContain('missing: ASTRA_DB_APPLICATION_TOKEN');
  });

  it('names everything missing when only the token is set', () => {
    const error = configError({ ASTRA_DB_APPLICATION_TOKEN: 'AstraCS:abc' });
    expect(error.variables).toEqual([
      'ASTRA_DB_SECURE_BUNDLE_PATH or ASTRA_DB_SECURE_BUNDLE_BASE64',
      'ASTRA_DB_KEYSPACE',
    ]);
    expect(error.message).toContain('ASTRA_DB_SECURE_BUNDLE_PATH or ASTRA_DB_SECURE_BUNDLE_BASE64');
    expect(error.message).toContain('ASTRA_DB_KEYSPACE');
    expect(error.message).toContain('partly configured');
  });

  it('names the bundle and token as missing when only the keyspace is set', () => {
    const error = configError({ ASTRA_DB_KEYSPACE: 'plp' });
    expect(error.variables).toEqual([
      'ASTRA_DB_SECURE_BUNDLE_PATH or ASTRA_DB_SECURE_BUNDLE_BASE64',
      'ASTRA_DB_APPLICATION_TOKEN',
    ]);
  });

  it('rejects both a bundle path and a base64 bundle', () => {
    const error = configError({ ...ASTRA, ASTRA_DB_SECURE_BUNDLE_BASE64: 'UEsDBBQ=' });
    expectNames(error, 'ASTRA_DB_SECURE_BUNDLE_PATH', 'ASTRA_DB_SECURE_BUNDLE_BASE64');
    expect(error.variables).toEqual([
      'ASTRA_DB_SECURE_BUNDLE_PATH',
      'ASTRA_DB_SECURE_BUNDLE_BASE64',
    ]);
  });

  it('rejects Astra and contact points together', () => {
    const error = configError({ ...ASTRA, ...CLUSTER });
    expectNames(error, 'CASSANDRA_CONTACT_POINTS');
    expect(error.message).toContain('ASTRA_DB_*');
    expect(error.variables).toEqual(
      expect.arrayContaining(['ASTRA_DB_APPLICATION_TOKEN', 'ASTRA_DB_KEYSPACE']),
    );
  });

  it('treats blank ASTRA_DB_* values as unset (no Cassandra at all)', () => {
    const parsed = parseConfig({
      ...BASE,
      ASTRA_DB_SECURE_BUNDLE_PATH: '',
      ASTRA_DB_APPLICATION_TOKEN: ' ',
      ASTRA_DB_KEYSPACE: '',
    });
    expect(parsed.cassandra).toBeUndefined();
  });
});

describe('config() and resetConfig()', () => {
  const saved = { ...process.env };

  beforeEach(() => {
    process.env.MONGODB_URL = 'mongodb://127.0.0.1:1/first';
    process.env.SESSIONS_TABLE = 'first-sessions';
    process.env.WORKER_LEASES_TABLE = 'first-worker-leases';
    process.env.IDEMPOTENCY_TABLE = 'first-idempotency';
    process.env.CONNECTIONS_TABLE = 'first-connections';
    process.env.CHANNEL_SUBSCRIPTIONS_TABLE = 'first-channel-subscriptions';
    process.env.REALTIME_TICKETS_TABLE = 'first-realtime-tickets';
    resetConfig();
  });

  afterEach(() => {
    for (const key of Object.keys(process.env)) {
      if (!(key in saved)) delete process.env[key];
    }
    Object.assign(process.env, saved);
    resetConfig();
  });

  it('parses process.env once and returns the same object afterwards', () => {
    const first = config();
    expect(first.mongo.url).toBe('mongodb://127.0.0.1:1/first');
    process.env.MONGODB_URL = 'mongodb://127.0.0.1:1/second';
    expect(config()).toBe(first);
    expect(config().mongo.url).toBe('mongodb://127.0.0.1:1/first');
  });

  it('re-reads process.env after resetConfig()', () => {
    const first = config();
    process.env.MONGODB_URL = 'mongodb://127.0.0.1:1/second';
    resetConfig();
    const second = config();
    expect(second).not.toBe(first);
    expect(second.mongo.url).toBe('mongodb://127.0.0.1:1/second');
  });

  it('throws ConfigError from config() for a bad process.env, and does not cache the failure', () => {
    process.env.SESSIONS_TABLE = '!';
    expect(() => config()).toThrow(ConfigError);
    process.env.SESSIONS_TABLE = 'fixed-sessions';
    expect(config().dynamo.sessionsTable).toBe('fixed-sessions');
  });
});

describe('parseConfig: real-time delivery endpoints', () => {
  it('uses serverless-offline ports locally when none are given', () => {
    const parsed = parseConfig({ ...BASE, IS_OFFLINE: 'true' });
    expect(parsed.realtime.managementEndpoint).toBe('http://127.0.0.1:3001');
    expect(parsed.realtime.lambdaEndpoint).toBe('http://127.0.0.1:3002');
  });

  it('takes the given endpoints, and none on AWS without them', () => {
    const local = parseConfig({
      ...BASE,
      IS_OFFLINE: 'true',
      WEBSOCKET_API_ENDPOINT: 'http://127.0.0.1:4001',
      LAMBDA_ENDPOINT: 'http://127.0.0.1:4002',
    });
    expect(local.realtime).toMatchObject({
      managementEndpoint: 'http://127.0.0.1:4001',
      lambdaEndpoint: 'http://127.0.0.1:4002',
    });
    const aws = parseConfig({
      ...BASE,
      WEBSOCKET_API_ENDPOINT: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod',
    });
    expect(aws.realtime.managementEndpoint).toBe(
      'https://abc123.execute-api.eu-west-1.amazonaws.com/prod',
    );
    expect(aws.realtime.lambdaEndpoint).toBeUndefined();
  });

  it('ignores the unrendered CloudFormation address locally, and refuses it on AWS', () => {
    const unrendered = 'https://[object Object].execute-api.[object Object].amazonaws.com/dev';
    const local = parseConfig({ ...BASE, IS_OFFLINE: 'true', WEBSOCKET_API_ENDPOINT: unrendered });
    expect(local.realtime.managementEndpoint).toBe('http://127.0.0.1:3001');
    expect(() => parseConfig({ ...BASE, WEBSOCKET_API_ENDPOINT: unrendered })).toThrow(
      /WEBSOCKET_API_ENDPOINT/,
    );
  });
});
