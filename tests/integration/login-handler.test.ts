/**
 * The POST /api/auth/login handler in-process against the real engines, with a low per-address
 * limit (the e2e server runs with a very high one so its many logins from 127.0.0.1 pass).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetConfig } from '../../lib/config';
import { closeDynamo } from '../../lib/db/dynamo';
import { closeMongo } from '../../lib/db/mongo';
import type { PublicUser } from '../../shared/schema';
import { useIsolatedEnv } from '../helpers/isolated-env';
import { invoke } from '../helpers/lambda';
import { createUser } from '../helpers/storage';

const PER_ADDRESS = 4;
const BURST = 20;

async function login(username: string, password: string, sourceIp: string) {
  const { handler } = await import('../../functions/auth/login');
  return invoke(handler, {
    method: 'POST',
    path: '/api/auth/login',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
    sourceIp,
  });
}

describe('POST /api/auth/login handler', () => {
  beforeAll(async () => {
    await useIsolatedEnv('login-handler', { cassandra: false });
    process.env.LOGIN_MAX_FAILURES_PER_IP = String(PER_ADDRESS);
    resetConfig();
  });
  afterAll(async () => {
    closeDynamo();
    await closeMongo();
  });

  it(`verifies at most ${PER_ADDRESS} of ${BURST} concurrent wrong logins from one address for ${BURST} usernames`, async () => {
    const users: PublicUser[] = [];
    for (let i = 0; i < BURST; i += 1) {
      users.push(
        await createUser({ username: `burst_${i}`, password: `burst-${i}-correct horse` }),
      );
    }
    const replies = await Promise.all(
      users.map((user) => login(user.username, 'a wrong password', '198.51.100.7')),
    );
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(PER_ADDRESS);
    expect(statuses.filter((s) => s === 429)).toHaveLength(BURST - PER_ADDRESS);
    for (const reply of replies.filter((r) => r.status === 429)) {
      expect(Number(reply.headers['Retry-After'])).toBeGreaterThan(0);
    }
    // The address is refused even with a right password; another address is not.
    expect((await login('burst_0', 'burst-0-correct horse', '198.51.100.7')).status).toBe(429);
    expect((await login('burst_0', 'burst-0-correct horse', '198.51.100.8')).status).toBe(200);
  });

  it('successful logins do not count against the address', async () => {
    const password = 'class-correct horse';
    const users: PublicUser[] = [];
    for (let i = 0; i < 2 * PER_ADDRESS; i += 1) {
      users.push(await createUser({ username: `pupil_${i}`, password }));
    }
    for (const user of users) {
      expect((await login(user.username, password, '198.51.100.20')).status).toBe(200);
    }
  });
});
