/**
 * Accounts and sessions through serverless-offline, as a browser would use them: cookies, status
 * codes, bodies. Time passing is simulated by editing the session item in the real table, the way
 * it would look after 31 idle minutes or 8 days.
 */
import { createHash } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { Client, newUser, uniqueName } from '../helpers/http-client';
import { PUBLIC_USER_KEYS } from '../helpers/storage';
import { startWorkers, WARM_WORKERS_TEST_TIMEOUT_MS } from '../helpers/workers';
import { E2E_TEACHER_CODE } from '../setup/offline';

const env = inject('offlineEnv');
const raw = new DynamoDBClient({
  endpoint: env.DYNAMODB_ENDPOINT,
  region: env.AWS_REGION ?? 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
const dynamo = DynamoDBDocumentClient.from(raw);
afterAll(() => raw.destroy());

const sessionKey = (token: string) => ({
  pk: `session#${createHash('sha256').update(token).digest('hex')}`,
});
const MINUTE = 60_000;

async function ageSession(token: string, change: { createdAt?: number; lastSeenAt?: number }) {
  const names = Object.keys(change);
  await dynamo.send(
    new UpdateCommand({
      TableName: env.SESSIONS_TABLE,
      Key: sessionKey(token),
      UpdateExpression: `SET ${names.map((n) => `${n} = :${n}`).join(', ')}`,
      ExpressionAttributeValues: Object.fromEntries(
        names.map((n) => [`:${n}`, change[n as keyof typeof change]]),
      ),
    }),
  );
}

async function registered(overrides: Record<string, unknown> = {}) {
  const client = new Client();
  const body = newUser(overrides);
  const reply = await client.post('/api/auth/register', body);
  expect(reply.status).toBe(201);
  return {
    client,
    body,
    user: reply.body as Record<string, unknown>,
    token: client.jar.get('sid') as string,
  };
}

describe('POST /api/auth/register', () => {
  it('creates a student, starts a session with a safe cookie, and never returns the password', async () => {
    const { client, body, user, token } = await registered();
    expect(user).toMatchObject({
      username: body.username,
      name: 'Test User',
      role: 'student',
      email: body.email,
    });
    expect(Object.keys(user).sort()).toEqual(PUBLIC_USER_KEYS);
    expect(JSON.stringify(user)).not.toContain(body.password);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await client.get('/api/users/me')).body).toEqual(user);
  });

  it('sets HttpOnly, SameSite=Lax, Path=/ (Secure is dropped only for plain-http localhost)', async () => {
    const client = new Client();
    const reply = await client.post('/api/auth/register', newUser());
    const cookie = reply.setCookies.find((c) => c.startsWith('sid=')) ?? '';
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Domain=/i);
  });

  it('answers 409 for a username or email already taken, in any letter case', async () => {
    const { body } = await registered();
    const client = new Client();
    const sameName = await client.post(
      '/api/auth/register',
      newUser({ username: body.username.toUpperCase() }),
    );
    expect(sameName.status).toBe(409);
    const sameEmail = await client.post(
      '/api/auth/register',
      newUser({ email: body.email.toUpperCase() }),
    );
    expect(sameEmail.status).toBe(409);
    expect(client.jar.has('sid')).toBe(false);
  });

  it('registers a teacher only with the right teacher code (403 otherwise)', async () => {
    const client = new Client();
    expect((await client.post('/api/auth/register', newUser({ role: 'teacher' }))).status).toBe(
      403,
    );
    expect(
      (await client.post('/api/auth/register', newUser({ role: 'teacher', teacherCode: 'guess' })))
        .status,
    ).toBe(403);
    const teacher = await client.post(
      '/api/auth/register',
      newUser({ role: 'teacher', teacherCode: E2E_TEACHER_CODE }),
    );
    expect(teacher.status).toBe(201);
    expect((teacher.body as { role: string }).role).toBe('teacher');
  });

  it('refuses bad input with 400 naming the fields, and unknown fields (no mass assignment)', async () => {
    const client = new Client();
    const short = await client.post(
      '/api/auth/register',
      newUser({ password: 'short', email: 'not-an-email' }),
    );
    expect(short.status).toBe(400);
    const paths = (short.body as { errors: { path: string }[] }).errors.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['body.password', 'body.email']));
    const extra = await client.post('/api/auth/register', newUser({ isAdmin: true }));
    expect(extra.status).toBe(400);
    expect(JSON.stringify(extra.body)).toContain('isAdmin');
    expect(
      (await client.post('/api/auth/register', 'not json', { 'content-type': 'application/json' }))
        .status,
    ).toBe(400);
    expect(
      (await client.post('/api/auth/register', 'a=b', { 'content-type': 'text/plain' })).status,
    ).toBe(415);
  });
});

describe('POST /api/auth/login', () => {
  it('answers 200 + user with a new session; one 401 message for a wrong password or an unknown user', async () => {
    const { body } = await registered();
    const client = new Client();
    const wrong = await client.post('/api/auth/login', {
      username: body.username,
      password: 'wrong password',
    });
    const unknown = await client.post('/api/auth/login', {
      username: uniqueName('nobody'),
      password: 'whatever1',
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect((wrong.body as { message: string }).message).toBe(
      (unknown.body as { message: string }).message,
    );
    const ok = await client.post('/api/auth/login', {
      username: body.username.toUpperCase(),
      password: body.password,
    });
    expect(ok.status).toBe(200);
    expect((ok.body as { username: string }).username).toBe(body.username);
    expect((await client.get('/api/users/me')).status).toBe(200);
  });

  it('issues a new token at login and ends the one the request brought (no session fixation)', async () => {
    const { client, body, token: before } = await registered();
    const login = await client.post('/api/auth/login', {
      username: body.username,
      password: body.password,
    });
    expect(login.status).toBe(200);
    const after = client.jar.get('sid') as string;
    expect(after).not.toBe(before);
    const attacker = new Client();
    attacker.jar.set('sid', before);
    expect((await attacker.get('/api/users/me')).status).toBe(401);
    expect((await client.get('/api/users/me')).status).toBe(200);
  });

  it('answers 429 with Retry-After after repeated failures for one username, even with the right password', async () => {
    const { body } = await registered();
    const client = new Client();
    for (let i = 0; i < 5; i += 1) {
      expect(
        (
          await client.post('/api/auth/login', {
            username: body.username,
            password: `wrong-${i}-pw`,
          })
        ).status,
      ).toBe(401);
    }
    const blocked = await client.post('/api/auth/login', {
      username: body.username,
      password: body.password,
    });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(client.jar.has('sid')).toBe(false);
  });

  it(
    'verifies at most 5 of 20 simultaneous wrong passwords for one username; the rest are 429',
    async () => {
      const { body } = await registered();
      // Twenty warm login workers first (unknown usernames, each its own counter), so the burst
      // races twenty requests, not twenty cold starts.
      const warm = await startWorkers(20, () =>
        new Client().post('/api/auth/login', {
          username: uniqueName('warm'),
          password: 'warm-up-pw',
        }),
      );
      expect(warm.map((r) => r.status)).toEqual(Array(warm.length).fill(401));
      const replies = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          new Client().post('/api/auth/login', {
            username: body.username,
            password: `burst-guess-${i}`,
          }),
        ),
      );
      const statuses = replies.map((r) => r.status);
      const verified = statuses.filter((s) => s === 401).length;
      expect(verified).toBeLessThanOrEqual(5);
      expect(statuses.filter((s) => s === 429)).toHaveLength(20 - verified);
      for (const reply of replies.filter((r) => r.status === 429)) {
        expect(Number(reply.headers.get('retry-after'))).toBeGreaterThan(0);
      }
      // The window's attempts are spent: the right password is refused too until it ends.
      const client = new Client();
      const right = await client.post('/api/auth/login', {
        username: body.username,
        password: body.password,
      });
      expect(right.status).toBe(429);
      expect(client.jar.has('sid')).toBe(false);
    },
    WARM_WORKERS_TEST_TIMEOUT_MS,
  );
});

describe('sessions', () => {
  it('logout deletes the session server-side and clears the cookie (204)', async () => {
    const { client, token } = await registered();
    const out = await client.post('/api/auth/logout');
    expect(out.status).toBe(204);
    expect(out.setCookies.some((c) => /^sid=;/.test(c) && /Max-Age=0/i.test(c))).toBe(true);
    expect(
      (await dynamo.send(new GetCommand({ TableName: env.SESSIONS_TABLE, Key: sessionKey(token) })))
        .Item,
    ).toBeUndefined();
    const replay = new Client();
    replay.jar.set('sid', token);
    expect((await replay.get('/api/users/me')).status).toBe(401);
    expect((await replay.post('/api/auth/logout')).status).toBe(401);
  });

  it('refuses no cookie, a tampered cookie and a garbage cookie with 401', async () => {
    const { token } = await registered();
    const client = new Client();
    expect((await client.get('/api/users/me')).status).toBe(401);
    const flipped = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    client.jar.set('sid', flipped);
    expect((await client.get('/api/users/me')).status).toBe(401);
    client.jar.set('sid', 'x'.repeat(5_000));
    expect((await client.get('/api/users/me')).status).toBe(401);
    client.jar.set('sid', `${token}x`); // the real token with one more character
    expect((await client.get('/api/users/me')).status).toBe(401);
    client.jar.set('sid', token.slice(0, 20)); // truncated
    expect((await client.get('/api/users/me')).status).toBe(401);
  });

  it('refuses a session idle for more than 30 minutes although its item is still in the table', async () => {
    const { client, token } = await registered();
    await ageSession(token, { lastSeenAt: Date.now() - 31 * MINUTE });
    expect((await client.get('/api/users/me')).status).toBe(401);
  });

  it('refuses a session older than 7 days even when it was used a minute ago', async () => {
    const { client, token } = await registered();
    await ageSession(token, {
      createdAt: Date.now() - 8 * 24 * 60 * MINUTE,
      lastSeenAt: Date.now() - MINUTE,
    });
    expect((await client.get('/api/users/me')).status).toBe(401);
  });

  it('slides the idle expiry: a session used after 10 minutes is extended, not ended', async () => {
    const { client, token } = await registered();
    const tenMinutesAgo = Date.now() - 10 * MINUTE;
    await ageSession(token, { lastSeenAt: tenMinutesAgo });
    expect((await client.get('/api/users/me')).status).toBe(200);
    const { Item } = await dynamo.send(
      new GetCommand({
        TableName: env.SESSIONS_TABLE,
        Key: sessionKey(token),
        ConsistentRead: true,
      }),
    );
    expect(Item?.lastSeenAt).toBeGreaterThan(tenMinutesAgo + 9 * MINUTE);
    expect(Item).not.toHaveProperty('token');
  });
});

describe('GET /api/users/me/dms and unknown routes', () => {
  it('lists no DMs for a new user', async () => {
    const { client } = await registered();
    const reply = await client.get('/api/users/me/dms');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual([]);
  });

  it('answers a JSON 404 for an /api path no route has', async () => {
    const client = new Client();
    const reply = await client.get('/api/no/such/route?x=1');
    expect(reply.status).toBe(404);
    expect(reply.body).toMatchObject({ code: 'NOT_FOUND' });
    expect((await client.post('/api/users/me', {})).status).toBe(404);
  });
});
