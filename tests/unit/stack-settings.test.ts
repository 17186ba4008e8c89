import { describe, expect, it } from 'vitest';
import { connectionEnv, stackSettings } from '../../scripts/stack/settings';

describe('stackSettings', () => {
  it('runs every engine locally on the default ports with an empty environment', () => {
    expect(stackSettings({})).toEqual({
      mongo: { mode: 'local', port: 27018 },
      cassandra: { mode: 'local', port: 9042, storagePort: 7010, dataCenter: 'datacenter1' },
      dynamodb: { mode: 'local', port: 8005 },
    });
  });

  it('uses the LOCAL_*_PORT variables', () => {
    expect(
      stackSettings({
        LOCAL_MONGO_PORT: '27999',
        LOCAL_CASSANDRA_PORT: '19042',
        LOCAL_CASSANDRA_STORAGE_PORT: '17000',
        LOCAL_DYNAMO_PORT: '18005',
      }),
    ).toEqual({
      mongo: { mode: 'local', port: 27999 },
      cassandra: { mode: 'local', port: 19042, storagePort: 17000, dataCenter: 'datacenter1' },
      dynamodb: { mode: 'local', port: 18005 },
    });
  });

  it('treats blank variables as unset', () => {
    expect(
      stackSettings({
        MONGODB_URL: ' ',
        CASSANDRA_CONTACT_POINTS: '',
        ASTRA_DB_APPLICATION_TOKEN: '',
        DYNAMODB_ENDPOINT: '',
        LOCAL_MONGO_PORT: '',
      }),
    ).toEqual(stackSettings({}));
  });

  it('uses an external MongoDB when MONGODB_URL is set', () => {
    const url = 'mongodb+srv://u:p@cluster0.example.net/plp';
    const settings = stackSettings({ MONGODB_URL: url });
    expect(settings.mongo).toEqual({ mode: 'external', url });
    expect(settings.cassandra.mode).toBe('local');
    expect(settings.dynamodb.mode).toBe('local');
  });

  it('uses an external Cassandra when CASSANDRA_CONTACT_POINTS is set', () => {
    const settings = stackSettings({ CASSANDRA_CONTACT_POINTS: '10.0.0.1:9042' });
    expect(settings.cassandra).toEqual({ mode: 'external' });
    expect(settings.mongo.mode).toBe('local');
  });

  it.each([
    'ASTRA_DB_SECURE_BUNDLE_PATH',
    'ASTRA_DB_SECURE_BUNDLE_BASE64',
    'ASTRA_DB_APPLICATION_TOKEN',
    'ASTRA_DB_KEYSPACE',
  ])('uses an external Cassandra (Astra) when %s is set', (variable) => {
    expect(stackSettings({ [variable]: 'x' }).cassandra).toEqual({ mode: 'external' });
  });

  it('uses an external DynamoDB when DYNAMODB_ENDPOINT is set', () => {
    const settings = stackSettings({ DYNAMODB_ENDPOINT: 'http://10.0.0.5:8000' });
    expect(settings.dynamodb).toEqual({ mode: 'external', endpoint: 'http://10.0.0.5:8000' });
  });

  it.each(['off', 'OFF', 'false', '0', 'no'])(
    'disables Cassandra with LOCAL_STACK_CASSANDRA=%s',
    (v) => {
      expect(stackSettings({ LOCAL_STACK_CASSANDRA: v }).cassandra).toEqual({ mode: 'disabled' });
    },
  );

  it.each(['on', 'true', '1', ''])('keeps local Cassandra with LOCAL_STACK_CASSANDRA=%j', (v) => {
    expect(stackSettings({ LOCAL_STACK_CASSANDRA: v }).cassandra.mode).toBe('local');
  });

  it('prefers a configured external Cassandra over LOCAL_STACK_CASSANDRA=off', () => {
    expect(
      stackSettings({ LOCAL_STACK_CASSANDRA: 'off', CASSANDRA_CONTACT_POINTS: 'db:9042' })
        .cassandra,
    ).toEqual({ mode: 'external' });
  });

  it.each(['abc', '0', '65536', '-1', '27018.5'])(
    'throws naming LOCAL_MONGO_PORT for %j',
    (value) => {
      expect(() => stackSettings({ LOCAL_MONGO_PORT: value })).toThrow(
        new Error(`LOCAL_MONGO_PORT must be a TCP port (1-65535), got "${value}"`),
      );
    },
  );

  it.each(['LOCAL_CASSANDRA_PORT', 'LOCAL_CASSANDRA_STORAGE_PORT', 'LOCAL_DYNAMO_PORT'])(
    'throws naming %s for an invalid port',
    (variable) => {
      expect(() => stackSettings({ [variable]: 'nope' })).toThrow(variable);
    },
  );

  it('ignores a local port variable for an engine that is external', () => {
    expect(() =>
      stackSettings({ MONGODB_URL: 'mongodb://db/plp', LOCAL_MONGO_PORT: 'nope' }),
    ).not.toThrow();
  });
});

describe('connectionEnv', () => {
  it('points the app at the local engines', () => {
    expect(connectionEnv(stackSettings({}), {})).toEqual({
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      MONGODB_URL: 'mongodb://127.0.0.1:27018/plp',
      CASSANDRA_CONTACT_POINTS: '127.0.0.1:9042',
      CASSANDRA_LOCAL_DC: 'datacenter1',
      CASSANDRA_KEYSPACE: 'plp',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:8005',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    });
  });

  it('follows custom local ports, keyspace, region and keys', () => {
    const env = {
      LOCAL_MONGO_PORT: '27999',
      LOCAL_CASSANDRA_PORT: '19042',
      LOCAL_DYNAMO_PORT: '18005',
      CASSANDRA_KEYSPACE: 't_abc',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AK',
      AWS_SECRET_ACCESS_KEY: 'SK',
    };
    expect(connectionEnv(stackSettings(env), env)).toMatchObject({
      AWS_REGION: 'eu-west-1',
      MONGODB_URL: 'mongodb://127.0.0.1:27999/plp',
      CASSANDRA_CONTACT_POINTS: '127.0.0.1:19042',
      CASSANDRA_KEYSPACE: 't_abc',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:18005',
      AWS_ACCESS_KEY_ID: 'AK',
      AWS_SECRET_ACCESS_KEY: 'SK',
    });
  });

  it('passes external MongoDB and DynamoDB through and adds no local credentials', () => {
    const env = {
      MONGODB_URL: 'mongodb+srv://u:p@cluster0.example.net/plp',
      DYNAMODB_ENDPOINT: 'https://dynamodb.eu-west-1.amazonaws.com',
    };
    const out = connectionEnv(stackSettings(env), env);
    expect(out.MONGODB_URL).toBe(env.MONGODB_URL);
    expect(out.DYNAMODB_ENDPOINT).toBe(env.DYNAMODB_ENDPOINT);
    expect(out).not.toHaveProperty('AWS_ACCESS_KEY_ID');
    expect(out).not.toHaveProperty('AWS_SECRET_ACCESS_KEY');
  });

  it("passes an external cluster's CASSANDRA_* through, leaving out blank ones", () => {
    const env = {
      CASSANDRA_CONTACT_POINTS: 'db1:9042,db2:9042',
      CASSANDRA_LOCAL_DC: 'dc1',
      CASSANDRA_USERNAME: 'app',
      CASSANDRA_PASSWORD: ' ',
      UNRELATED: 'x',
    };
    const out = connectionEnv(stackSettings(env), env);
    expect(out).toMatchObject({
      CASSANDRA_CONTACT_POINTS: 'db1:9042,db2:9042',
      CASSANDRA_LOCAL_DC: 'dc1',
      CASSANDRA_USERNAME: 'app',
    });
    expect(out).not.toHaveProperty('CASSANDRA_PASSWORD');
    expect(out).not.toHaveProperty('CASSANDRA_KEYSPACE');
    expect(out).not.toHaveProperty('UNRELATED');
  });

  it("passes Astra's ASTRA_DB_* through and adds no contact points", () => {
    const env = {
      ASTRA_DB_SECURE_BUNDLE_PATH: '/opt/bundle.zip',
      ASTRA_DB_APPLICATION_TOKEN: 'AstraCS:abc',
      ASTRA_DB_KEYSPACE: 'plp',
      ASTRA_DB_SECURE_BUNDLE_BASE64: '',
    };
    const out = connectionEnv(stackSettings(env), env);
    expect(out).toMatchObject({
      ASTRA_DB_SECURE_BUNDLE_PATH: '/opt/bundle.zip',
      ASTRA_DB_APPLICATION_TOKEN: 'AstraCS:abc',
      ASTRA_DB_KEYSPACE: 'plp',
    });
    expect(out).not.toHaveProperty('ASTRA_DB_SECURE_BUNDLE_BASE64');
    expect(out).not.toHaveProperty('CASSANDRA_CONTACT_POINTS');
  });

  it('sets no CASSANDRA_* when Cassandra is disabled, even if some are in the environment', () => {
    const env = {
      LOCAL_STACK_CASSANDRA: 'off',
      CASSANDRA_KEYSPACE: 'plp',
      CASSANDRA_LOCAL_DC: 'dc',
    };
    const out = connectionEnv(stackSettings(env), env);
    expect(Object.keys(out).filter((k) => k.startsWith('CASSANDRA_'))).toEqual([]);
    expect(out.MONGODB_URL).toBe('mongodb://127.0.0.1:27018/plp');
  });

  it('produces an environment that lib/config accepts for the local stack', async () => {
    const { parseConfig } = await import('../../lib/config');
    const out = connectionEnv(stackSettings({}), {});
    const parsed = parseConfig({
      ...out,
      SESSIONS_TABLE: 'plp-backend-dev-sessions',
      WORKER_LEASES_TABLE: 'plp-backend-dev-worker-leases',
      IDEMPOTENCY_TABLE: 'plp-backend-dev-idempotency',
      CONNECTIONS_TABLE: 'plp-connections',
      CHANNEL_SUBSCRIPTIONS_TABLE: 'plp-channel-subscriptions',
      REALTIME_TICKETS_TABLE: 'plp-realtime-tickets',
    });
    expect(parsed.cassandra).toMatchObject({
      kind: 'cluster',
      contactPoints: ['127.0.0.1:9042'],
      localDataCenter: 'datacenter1',
      keyspace: 'plp',
    });
    expect(parsed.dynamo.endpoint).toBe('http://127.0.0.1:8005');
  });
});
