/**
 * lib/sessions' session store against the real DynamoDB engine, with an injected clock (the login
 * throttle has its own file).
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { config } from '../../lib/config';
import { closeDynamo, getDynamo } from '../../lib/db/dynamo';
import {
  createSession,
  deleteSession,
  deleteUserSessions,
  findSession,
  hashToken,
  TOUCH_INTERVAL_MS,
} from '../../lib/sessions/session-store';
import { useIsolatedEnv } from '../helpers/isolated-env';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);

async function storedItem(token: string) {
  const { Item } = await (await getDynamo()).send(
    new GetCommand({
      TableName: config().dynamo.sessionsTable,
      Key: { pk: `session#${hashToken(token)}` },
      ConsistentRead: true,
    }),
  );
  return Item;
}

describe('session store', () => {
  beforeAll(async () => {
    await useIsolatedEnv('sessions', { cassandra: false, mongoIndexes: false });
  });
  afterAll(closeDynamo);

  it('stores only the SHA-256 of a fresh 256-bit token', async () => {
    const a = await createSession({ id: 1, role: 'student' }, T0);
    const b = await createSession({ id: 1, role: 'student' }, T0);
    expect(a.token).not.toBe(b.token);
    expect(Buffer.from(a.token, 'base64url')).toHaveLength(32);
    const item = await storedItem(a.token);
    expect(item?.pk).toBe(`session#${hashToken(a.token)}`);
    expect(JSON.stringify(item)).not.toContain(a.token);
    expect(item).toMatchObject({ userId: 1, role: 'student', createdAt: T0, lastSeenAt: T0 });
  });

  it('expires after 30 idle minutes, exactly, and slides on use', async () => {
    const { token } = await createSession({ id: 2, role: 'teacher' }, T0);
    expect(await findSession(token, T0 + 30 * MINUTE - 1)).toMatchObject({
      userId: 2,
      role: 'teacher',
    });
    // That use (over 5 minutes after the last write) moved lastSeenAt: 30 more minutes from there.
    expect(await findSession(token, T0 + 59 * MINUTE)).toBeDefined();
    expect(await findSession(token, T0 + 59 * MINUTE + 30 * MINUTE)).toBeUndefined();
  });

  it('expires after 7 days whatever the activity', async () => {
    const { token } = await createSession({ id: 3, role: 'student' }, T0);
    let now = T0;
    while (now < T0 + 7 * 24 * 60 * MINUTE - 20 * MINUTE) {
      now += 20 * MINUTE;
      expect(await findSession(token, now)).toBeDefined();
    }
    expect(await findSession(token, T0 + 7 * 24 * 60 * MINUTE)).toBeUndefined();
  });

  it('writes the sliding extension at most every few minutes', async () => {
    const { token } = await createSession({ id: 4, role: 'student' }, T0);
    await findSession(token, T0 + TOUCH_INTERVAL_MS - 1);
    expect((await storedItem(token))?.lastSeenAt).toBe(T0);
    await findSession(token, T0 + TOUCH_INTERVAL_MS);
    expect((await storedItem(token))?.lastSeenAt).toBe(T0 + TOUCH_INTERVAL_MS);
  });

  it('refuses malformed and unknown tokens, and deleted sessions', async () => {
    expect(await findSession('', T0)).toBeUndefined();
    expect(await findSession('a'.repeat(43), T0)).toBeUndefined();
    expect(await findSession('../../etc/passwd', T0)).toBeUndefined();
    const { token } = await createSession({ id: 5, role: 'student' }, T0);
    await deleteSession(token);
    expect(await findSession(token, T0)).toBeUndefined();
    await deleteSession(token); // twice is fine
  });

  it('ends every session of one user and no one else’s', async () => {
    const mine = await Promise.all(
      [1, 2, 3].map(() => createSession({ id: 60, role: 'student' }, T0)),
    );
    const theirs = await createSession({ id: 61, role: 'student' }, T0);
    expect(await deleteUserSessions(60)).toBe(3);
    for (const { token } of mine) expect(await findSession(token, T0)).toBeUndefined();
    expect(await findSession(theirs.token, T0)).toBeDefined();
  });
});
