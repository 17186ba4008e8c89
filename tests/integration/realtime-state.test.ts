/**
 * The live chat's state in DynamoDB (lib/realtime: tickets, connections and subscriptions, the
 * typing limit, connections and their sessions) against the real engine, with isolated tables.
 * Concurrency claims rest on single conditional writes, so they are tested with parallel calls.
 */
import { randomBytes } from 'node:crypto';
import { BatchWriteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { config, resetConfig } from '../../lib/config';
import { closeDynamo, getDynamo } from '../../lib/db/dynamo';
import { createLogger, type LogFields } from '../../lib/logger';
import {
  type ConnectionRecord,
  channelSubscribers,
  findConnection,
  forgetConnection,
  isSubscribed,
  openConnection,
  sessionConnectionIds,
  subscribe,
  subscriptionKey,
  unsubscribe,
} from '../../lib/realtime/connections';
import { acceptConnection, connectionCaller } from '../../lib/realtime/sessions';
import { issueTicket, redeemTicket } from '../../lib/realtime/tickets';
import { claimTypingSlot } from '../../lib/realtime/typing';
import { createSession, deleteSession } from '../../lib/sessions/session-store';
import { freePort } from '../../scripts/offline-server';
import {
  MAX_SUBSCRIPTIONS_PER_CONNECTION,
  TICKET_TTL_SECONDS,
  TYPING_INTERVAL_MS,
} from '../../shared/realtime-schema';
import { useIsolatedEnv } from '../helpers/isolated-env';
import { fulfilled, inParallel } from '../helpers/storage';

const HOUR = 3_600_000;

let sequence = 0;
const next = () => {
  sequence += 1;
  return sequence;
};
/** A connection id no other test of this file uses (API Gateway's are opaque strings like it). */
const newConnectionId = () => `conn${next()}${randomBytes(4).toString('hex')}`;
/** A channel or user id no other test of this file uses. */
const newId = () => 1_000_000 + next() * 1_000;

/** A live connection record (not yet stored). */
function connectionRecord(overrides: Partial<ConnectionRecord> = {}): ConnectionRecord {
  const now = Date.now();
  return {
    connectionId: newConnectionId(),
    userId: newId(),
    role: 'student',
    sessionId: `session-${randomBytes(8).toString('hex')}`,
    connectedAt: now,
    expiresAt: now + 2 * HOUR,
    ...overrides,
  };
}

async function openedConnection(overrides: Partial<ConnectionRecord> = {}) {
  const record = connectionRecord(overrides);
  await openConnection(record);
  return record;
}

async function scanAll(TableName: string): Promise<Record<string, unknown>[]> {
  const dynamo = await getDynamo();
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(
      new ScanCommand({ TableName, ...(start ? { ExclusiveStartKey: start } : {}) }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Every subscriber of `channelId`, with the number of pages they came in. */
async function allSubscribers(channelId: number) {
  const ids: string[] = [];
  let pages = 0;
  for await (const page of channelSubscribers(channelId)) {
    pages += 1;
    ids.push(...page.map((s) => s.connectionId));
  }
  return { ids, pages };
}

/** A logger whose lines a test can read. */
function capturingLogger() {
  const lines: LogFields[] = [];
  const log = createLogger('warn', {}, (line) => lines.push(JSON.parse(line) as LogFields));
  return { log, lines };
}

describe('real-time state in DynamoDB', () => {
  beforeAll(async () => {
    await useIsolatedEnv('realtime-state', { cassandra: false, mongoIndexes: false });
    // connectionCaller closes a dead connection through the Management API: nothing listens here,
    // so that close fails, as it does when API Gateway cannot be reached.
    process.env.WEBSOCKET_API_ENDPOINT = `http://127.0.0.1:${await freePort()}`;
    resetConfig();
  });
  afterAll(closeDynamo);

  describe('connect tickets', () => {
    const session = () => ({ id: `session-${newId()}`, userId: newId(), role: 'student' as const });

    it('opens one connection: the first redeem gets the session, the second nothing', async () => {
      const owner = session();
      const { ticket, expiresAt } = await issueTicket(owner);
      expect(ticket).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + TICKET_TTL_SECONDS * 1000);
      expect(await redeemTicket(ticket)).toEqual({ sessionId: owner.id });
      expect(await redeemTicket(ticket)).toBeUndefined();
    });

    it('20 concurrent redeems of one ticket: exactly one succeeds (for each of 10 tickets)', async () => {
      // Unknown tickets first, as many at once as the client keeps sockets: they find nothing,
      // and leave the connections open so that the redeems below really arrive together.
      const unknown = await inParallel(50, () =>
        redeemTicket(randomBytes(32).toString('base64url')),
      );
      expect(fulfilled(unknown.results)).toEqual(Array(50).fill(undefined));

      const owners = Array.from({ length: 10 }, session);
      const tickets = await Promise.all(owners.map((owner) => issueTicket(owner)));
      const { results } = await inParallel(200, (i) =>
        redeemTicket((tickets[i % tickets.length] as { ticket: string }).ticket),
      );
      const values = fulfilled(results);
      expect(values).toHaveLength(200);
      owners.forEach((owner, t) => {
        const redeemed = values.filter((v, i) => i % tickets.length === t && v !== undefined);
        expect(redeemed).toEqual([{ sessionId: owner.id }]);
      });
    });

    it('refuses an expired ticket, and it stays used up', async () => {
      const issuedAt = Date.now();
      const { ticket, expiresAt } = await issueTicket(session(), issuedAt);
      expect(expiresAt.getTime()).toBe(issuedAt + TICKET_TTL_SECONDS * 1000);
      expect(await redeemTicket(ticket, expiresAt.getTime())).toBeUndefined();
      expect(await redeemTicket(ticket, issuedAt)).toBeUndefined();
    });

    it('refuses forged and malformed tickets', async () => {
      const { ticket } = await issueTicket(session());
      const forged = randomBytes(32).toString('base64url');
      const lastChar = ticket.endsWith('A') ? 'B' : 'A';
      for (const attempt of [
        forged,
        `${ticket.slice(0, -1)}${lastChar}`,
        '',
        'a',
        `${ticket}x`,
        ticket.slice(1),
        `${ticket.slice(0, 42)}=`,
        '../../etc/passwd',
      ]) {
        expect(await redeemTicket(attempt)).toBeUndefined();
      }
      // None of them touched the real one.
      expect(await redeemTicket(ticket)).toBeDefined();
    });

    it('stores only the hash of a ticket, never the ticket', async () => {
      const issued = await Promise.all([1, 2, 3].map(() => issueTicket(session())));
      const items = await scanAll(config().realtime.ticketsTable);
      expect(items.length).toBeGreaterThanOrEqual(3);
      const stored = JSON.stringify(items);
      for (const { ticket } of issued) expect(stored).not.toContain(ticket);
      for (const item of items) expect(item.pk).toMatch(/^[0-9a-f]{64}$/);
    });
  });

  describe('connections and subscriptions', () => {
    it('finds an open connection until it expires', async () => {
      const record = await openedConnection();
      expect(await findConnection(record.connectionId)).toEqual({ ...record, channels: [] });
      expect(await findConnection(record.connectionId, record.expiresAt - 1)).toBeDefined();
      expect(await findConnection(record.connectionId, record.expiresAt)).toBeUndefined();
      expect(await findConnection(newConnectionId())).toBeUndefined();
      const expired = await openedConnection({ expiresAt: Date.now() - 1 });
      expect(await findConnection(expired.connectionId)).toBeUndefined();
    });

    it(`subscribes to ${MAX_SUBSCRIPTIONS_PER_CONNECTION} channels, not one more, and again to one it has`, async () => {
      const connection = await openedConnection();
      const channels = Array.from({ length: MAX_SUBSCRIPTIONS_PER_CONNECTION }, newId);
      for (const channelId of channels) {
        expect(await subscribe(connection, channelId)).toBe('subscribed');
      }
      const extra = newId();
      expect(await subscribe(connection, extra)).toBe('limit');
      expect(await isSubscribed(connection.connectionId, extra)).toBe(false);
      expect(await subscribe(connection, channels[17] as number)).toBe('subscribed');
      const stored = await findConnection(connection.connectionId);
      expect(stored?.channels.sort()).toEqual([...channels].sort());
    });

    it('120 concurrent subscribes of distinct channels: exactly 100 succeed', async () => {
      const connection = await openedConnection();
      const channels = Array.from({ length: 120 }, newId);
      const { results } = await inParallel(channels.length, (i) =>
        subscribe(connection, channels[i] as number),
      );
      const outcomes = fulfilled(results);
      expect(outcomes).toHaveLength(channels.length);
      expect(outcomes.filter((o) => o === 'subscribed')).toHaveLength(
        MAX_SUBSCRIPTIONS_PER_CONNECTION,
      );
      expect(outcomes.filter((o) => o === 'limit')).toHaveLength(
        channels.length - MAX_SUBSCRIPTIONS_PER_CONNECTION,
      );
      const subscribed = channels.filter((_, i) => outcomes[i] === 'subscribed');
      const stored = await findConnection(connection.connectionId);
      expect(stored?.channels.sort()).toEqual(subscribed.sort());
      // A subscription item exists exactly for the channels that were accepted.
      const items = await Promise.all(
        channels.map((channelId) => isSubscribed(connection.connectionId, channelId)),
      );
      expect(channels.filter((_, i) => items[i])).toEqual(
        channels.filter((_, i) => outcomes[i] === 'subscribed'),
      );
    });

    it('unsubscribe removes the subscription item and the channel of the connection', async () => {
      const connection = await openedConnection();
      const [kept, dropped] = [newId(), newId()];
      await subscribe(connection, kept);
      await subscribe(connection, dropped);
      await unsubscribe(connection.connectionId, dropped);
      expect(await isSubscribed(connection.connectionId, dropped)).toBe(false);
      expect(await isSubscribed(connection.connectionId, kept)).toBe(true);
      expect((await findConnection(connection.connectionId))?.channels).toEqual([kept]);
      await unsubscribe(connection.connectionId, kept);
      expect((await findConnection(connection.connectionId))?.channels).toEqual([]);
      // Again, and on a connection that no longer exists: nothing to do, no error.
      await unsubscribe(connection.connectionId, kept);
      await unsubscribe(newConnectionId(), kept);
    });

    it('forgetConnection removes the connection and all its subscriptions; then subscribe is gone', async () => {
      const connection = await openedConnection();
      const other = await openedConnection();
      const channels = [newId(), newId(), newId()];
      for (const channelId of channels) {
        await subscribe(connection, channelId);
        await subscribe(other, channelId);
      }
      await forgetConnection(connection.connectionId);
      expect(await findConnection(connection.connectionId)).toBeUndefined();
      for (const channelId of channels) {
        expect(await isSubscribed(connection.connectionId, channelId)).toBe(false);
        expect(await isSubscribed(other.connectionId, channelId)).toBe(true);
      }
      expect(await subscribe(connection, newId())).toBe('gone');
      expect(await subscribe(connection, channels[0] as number)).toBe('gone');
      expect(await isSubscribed(connection.connectionId, channels[0] as number)).toBe(false);
      await forgetConnection(connection.connectionId); // twice is fine
    });

    it("sessionConnectionIds finds a session's connections and no one else's", async () => {
      const sessionId = `session-${randomBytes(8).toString('hex')}`;
      const mine = await Promise.all([1, 2, 3].map(() => openedConnection({ sessionId })));
      const theirs = await openedConnection();
      const found = await sessionConnectionIds(sessionId);
      expect(found.sort()).toEqual(mine.map((c) => c.connectionId).sort());
      expect(found).not.toContain(theirs.connectionId);
      expect(await sessionConnectionIds('session-nobody')).toEqual([]);
    });

    it('channelSubscribers pages through 1,200 subscribers: all of them, none twice', async () => {
      const channelId = newId();
      const ids = Array.from({ length: 1_200 }, newConnectionId);
      // About 1 KB per item, so the subscribers span more than one 1 MB query page.
      const pad = 'x'.repeat(1_000);
      const dynamo = await getDynamo();
      const batches: string[][] = [];
      for (let i = 0; i < ids.length; i += 25) batches.push(ids.slice(i, i + 25));
      await Promise.all(
        batches.map(async (batch) => {
          let requests: Record<string, unknown>[] | undefined = batch.map((connectionId) => ({
            PutRequest: {
              Item: { channelId, sk: subscriptionKey(connectionId), connectionId, userId: 7, pad },
            },
          }));
          while (requests?.length) {
            const { UnprocessedItems } = await dynamo.send(
              new BatchWriteCommand({
                RequestItems: { [config().realtime.subscriptionsTable]: requests as never },
              }),
            );
            requests = UnprocessedItems?.[config().realtime.subscriptionsTable] as
              | Record<string, unknown>[]
              | undefined;
          }
        }),
      );
      // A typing mark shares the channel's partition: it is not a subscriber.
      expect(await claimTypingSlot(channelId, 7)).toBe(true);

      const { ids: found, pages } = await allSubscribers(channelId);
      expect(pages).toBeGreaterThan(1);
      expect(found).toHaveLength(ids.length);
      expect(new Set(found).size).toBe(ids.length);
      expect([...found].sort()).toEqual([...ids].sort());
    });
  });

  describe('typing limit', () => {
    it(`forwards one typing event per user and channel every ${TYPING_INTERVAL_MS} ms`, async () => {
      const [channelId, userId] = [newId(), newId()];
      const t0 = Date.now();
      expect(await claimTypingSlot(channelId, userId, t0)).toBe(true);
      expect(await claimTypingSlot(channelId, userId, t0 + 1)).toBe(false);
      expect(await claimTypingSlot(channelId, userId, t0 + TYPING_INTERVAL_MS - 1)).toBe(false);
      // Another user, another channel: their own slots.
      expect(await claimTypingSlot(channelId, newId(), t0 + 1)).toBe(true);
      expect(await claimTypingSlot(newId(), userId, t0 + 1)).toBe(true);
      expect(await claimTypingSlot(channelId, userId, t0 + TYPING_INTERVAL_MS)).toBe(true);
      expect(await claimTypingSlot(channelId, userId, t0 + TYPING_INTERVAL_MS + 1)).toBe(false);
    });

    it('10 concurrent claims at the same moment: exactly one wins', async () => {
      const [channelId, userId] = [newId(), newId()];
      const now = Date.now();
      const { results } = await inParallel(10, () => claimTypingSlot(channelId, userId, now));
      const claims = fulfilled(results);
      expect(claims).toHaveLength(10);
      expect(claims.filter(Boolean)).toHaveLength(1);
    });
  });

  describe('connections and sessions', () => {
    const user = () => ({ id: newId(), role: 'student' as const });

    it('accepts a ticket and records the connection for its session', async () => {
      const { session } = await createSession(user());
      const { ticket } = await issueTicket(session);
      const connectionId = newConnectionId();
      const now = Date.now();
      expect(await acceptConnection(connectionId, {}, { ticket }, now)).toBe(true);
      expect(await findConnection(connectionId)).toMatchObject({
        connectionId,
        userId: session.userId,
        role: session.role,
        sessionId: session.id,
        connectedAt: now,
      });
      // Used up: a second connection with it is refused.
      const again = newConnectionId();
      expect(await acceptConnection(again, {}, { ticket })).toBe(false);
      expect(await findConnection(again)).toBeUndefined();
    });

    it('accepts the session cookie, whatever the header name case and other cookies', async () => {
      const { token, session } = await createSession(user());
      const first = newConnectionId();
      expect(await acceptConnection(first, { cookie: `sid=${token}` }, {})).toBe(true);
      expect((await findConnection(first))?.sessionId).toBe(session.id);
      const second = newConnectionId();
      const headers = { Cookie: `theme=dark; sid=${token}; lang=en` };
      expect(await acceptConnection(second, headers, {})).toBe(true);
      expect((await sessionConnectionIds(session.id)).sort()).toEqual([first, second].sort());
    });

    it('refuses no credentials, a bad cookie, and a bad ticket even beside a good cookie', async () => {
      const { token } = await createSession(user());
      const forged = randomBytes(32).toString('base64url');
      const refused = [
        [{}, {}],
        [{ cookie: `sid=${forged}` }, {}],
        [{ cookie: `sid=${token}` }, { ticket: forged }],
        [{ cookie: `sid=${token}` }, { ticket: '' }],
      ] as const;
      for (const [headers, query] of refused) {
        const connectionId = newConnectionId();
        expect(await acceptConnection(connectionId, headers, query)).toBe(false);
        expect(await findConnection(connectionId)).toBeUndefined();
      }
    });

    it('refuses a ticket whose session has ended', async () => {
      const { token, session } = await createSession(user());
      const { ticket } = await issueTicket(session);
      await deleteSession(token);
      const connectionId = newConnectionId();
      expect(await acceptConnection(connectionId, {}, { ticket })).toBe(false);
      expect(await findConnection(connectionId)).toBeUndefined();
    });

    it('connectionCaller: the caller while the session lives; after it ends, nobody, and the connection is forgotten', async () => {
      const { token, session } = await createSession(user());
      const connectionId = newConnectionId();
      expect(await acceptConnection(connectionId, { cookie: `sid=${token}` }, {})).toBe(true);
      const channelId = newId();
      const stored = await findConnection(connectionId);
      expect(stored).toBeDefined();
      expect(await subscribe(stored as ConnectionRecord, channelId)).toBe('subscribed');

      const { log, lines } = capturingLogger();
      expect(await connectionCaller(connectionId, log)).toMatchObject({
        userId: session.userId,
        role: session.role,
        sessionId: session.id,
        connection: { connectionId },
      });
      expect(lines).toEqual([]);

      await deleteSession(token);
      expect(await connectionCaller(connectionId, log)).toBeUndefined();
      expect(await findConnection(connectionId)).toBeUndefined();
      expect(await isSubscribed(connectionId, channelId)).toBe(false);
      // Closing the socket failed (nothing listens at the Management API address): logged only.
      expect(lines).toEqual([
        expect.objectContaining({ level: 'warn', message: 'could not close a connection' }),
      ]);
      expect(lines[0]?.connectionId).toBe(connectionId);
    });

    it('connectionCaller on an unknown connection: undefined, without throwing', async () => {
      const { log } = capturingLogger();
      expect(await connectionCaller(newConnectionId(), log)).toBeUndefined();
    });
  });
});
