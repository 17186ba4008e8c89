/** The GET /api/health handler in-process, against the real engines. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetConfig } from '../../lib/config';
import { closeCassandra } from '../../lib/db/cassandra';
import { closeDynamo, dynamoSocketStats } from '../../lib/db/dynamo';
import { closeMongo, getMongo } from '../../lib/db/mongo';
import { useIsolatedEnv } from '../helpers/isolated-env';
import { invoke } from '../helpers/lambda';

describe('GET /api/health handler', () => {
  beforeAll(async () => {
    await useIsolatedEnv('health');
  });
  afterAll(async () => {
    await Promise.all([closeMongo(), closeCassandra()]);
    closeDynamo();
  });

  it('answers 200 with every store ok, and nothing else in the body', async () => {
    const { handler } = await import('../../functions/service/get-health');
    const response = await invoke(handler, { path: '/api/health' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ mongo: 'ok', messages: 'ok', sessions: 'ok' });
    expect(response.headers['Content-Type']).toMatch(/^application\/json/);
  });

  it('reuses every connection on the second invocation', async () => {
    const { handler } = await import('../../functions/service/get-health');
    await invoke(handler, { path: '/api/health' });
    const { getCassandra } = await import('../../lib/db/cassandra');
    const cassandra = await getCassandra();
    const mongo = await getMongo();
    let mongoConnections = 0;
    const count = () => {
      mongoConnections += 1;
    };
    mongo.connection.getClient().on('connectionCreated', count);
    const sockets = dynamoSocketStats.opened;

    const second = await invoke(handler, { path: '/api/health' });

    mongo.connection.getClient().off('connectionCreated', count);
    expect(second.status).toBe(200);
    expect(mongoConnections).toBe(0);
    expect(dynamoSocketStats.opened).toBe(sockets);
    expect(await getCassandra()).toBe(cassandra);
    expect(await getMongo()).toBe(mongo);
  });

  it('checks MongoDB as the message store when Cassandra is not configured', async () => {
    const saved = process.env.CASSANDRA_CONTACT_POINTS;
    delete process.env.CASSANDRA_CONTACT_POINTS;
    resetConfig();
    try {
      const { checkHealth } = await import('../../lib/storage/health');
      const { createLogger } = await import('../../lib/logger');
      const report = await checkHealth(createLogger('error'));
      expect(report).toEqual({ mongo: 'ok', messages: 'ok', sessions: 'ok' });
    } finally {
      if (saved !== undefined) process.env.CASSANDRA_CONTACT_POINTS = saved;
      resetConfig();
    }
  });
});
