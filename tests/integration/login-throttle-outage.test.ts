/**
 * Login with a store unreachable (its address a closed port). MongoDB: the verification cannot
 * run, so the attempt is given back (an outage must not lock users out once it ends). DynamoDB: a
 * counter that cannot be written is a refusal, never a zero, so no password is verified.
 */

import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { config, resetConfig } from '../../lib/config';
import { closeDynamo, getDynamo } from '../../lib/db/dynamo';
import { DatabaseUnavailableError } from '../../lib/db/errors';
import { closeMongo } from '../../lib/db/mongo';
import { createLogger } from '../../lib/logger';
import { reserveLoginAttempt } from '../../lib/sessions/login-throttle';
import { freePort } from '../../scripts/offline-server';
import { useIsolatedEnv } from '../helpers/isolated-env';
import { invoke } from '../helpers/lambda';
import { createUser, rawCollection } from '../helpers/storage';

const log = createLogger('error');

async function login(username: string, password: string, sourceIp = '127.0.0.1') {
  const { handler } = await import('../../functions/auth/login');
  return invoke(handler, {
    method: 'POST',
    path: '/api/auth/login',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
    sourceIp,
  });
}

async function attempts(pk: string) {
  const { Item } = await (await getDynamo()).send(
    new GetCommand({ TableName: config().dynamo.sessionsTable, Key: { pk }, ConsistentRead: true }),
  );
  return Item?.attempts as number | undefined;
}

describe('login throttle without DynamoDB', () => {
  beforeAll(async () => {
    await useIsolatedEnv('login-outage', { cassandra: false });
  });
  afterAll(async () => {
    closeDynamo();
    await closeMongo();
  });

  it('MongoDB down: every login is 503, none counts, and the user signs in once it is back', async () => {
    const password = 'nina-correct horse';
    await createUser({ username: 'nina_outage', password });
    const saved = { ...process.env };
    process.env.MONGODB_URL = `mongodb://127.0.0.1:${await freePort()}/unreachable`;
    process.env.MONGODB_SERVER_SELECTION_TIMEOUT_MS = '200';
    resetConfig();
    await closeMongo();
    try {
      // More than the per-username limit (5): were they counted, the last ones would be 429.
      for (let i = 0; i < 7; i += 1) {
        expect((await login('nina_outage', `nina-guess-${i}`, '10.8.8.8')).status).toBe(503);
      }
    } finally {
      for (const name of ['MONGODB_URL', 'MONGODB_SERVER_SELECTION_TIMEOUT_MS']) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
      resetConfig();
      await closeMongo();
    }
    const window = Math.floor(Date.now() / config().auth.loginThrottleWindowMs);
    expect(await attempts(`throttle#user#nina_outage#${window}`)).toBe(0);
    expect(await attempts(`throttle#ip#10.8.8.8#${window}`)).toBe(0);
    expect((await login('nina_outage', password, '10.8.8.8')).status).toBe(200);
  });

  it('DynamoDB down: the attempt is refused (503) and nothing is verified', async () => {
    const password = 'outage-correct horse';
    const user = await createUser({ username: 'olga_outage', password });
    const storedHash = async () =>
      (await (await rawCollection('users')).findOne({ id: user.id }))?.passwordHash;
    const before = await storedHash();

    process.env.DYNAMODB_ENDPOINT = `http://127.0.0.1:${await freePort()}`;
    // A verification would now re-hash the password at the new cost: the hash shows whether one ran.
    process.env.PASSWORD_HASH_LOG_N = '11';
    resetConfig();
    closeDynamo();

    await expect(reserveLoginAttempt('olga_outage', '10.9.9.9', log)).rejects.toBeInstanceOf(
      DatabaseUnavailableError,
    );
    const reply = await login('olga_outage', password);
    expect(reply.status).toBe(503);
    expect(reply.body).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(await storedHash()).toBe(before);
  });
});
