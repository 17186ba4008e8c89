/**
 * Sessions in DynamoDB (docs/architecture.md, Sessions and login throttling).
 *
 * The client holds an opaque 256-bit token; the table stores only its SHA-256, so a leaked table
 * yields no usable session. Idle (30 min, sliding) and absolute (7 days) expiry are both checked in
 * code on every look-up — DynamoDB's TTL deletes expired items only eventually (and dynalite never),
 * so an expired item that is still there must be refused. The sliding extension is written at most
 * once every few minutes, not on every request.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { UserRole } from '../../shared/schema';
import { config } from '../config';
import { isConditionFailed, queryPages, withDynamo } from '../db/dynamo';

/** The sliding idle expiry is written back at most this often. */
export const TOUCH_INTERVAL_MS = 5 * 60_000;
const TOKEN_BYTES = 32;
/** base64url of 32 bytes: anything else is not one of our tokens and costs no database call. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export interface Session {
  /** SHA-256 of the token, hex: the item's key. */
  id: string;
  userId: number;
  role: UserRole;
  createdAt: number;
  lastSeenAt: number;
}

interface SessionItem extends Omit<Session, 'id'> {
  pk: string;
  /** Epoch seconds: when DynamoDB may delete the item (cleanup only; expiry is checked in code). */
  ttl: number;
}

const keyOf = (hash: string) => `session#${hash}`;

/** SHA-256 of a token, hex. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function expiresAt(session: Pick<Session, 'createdAt' | 'lastSeenAt'>): number {
  const { sessionIdleMs, sessionAbsoluteMs } = config().auth;
  return Math.min(session.lastSeenAt + sessionIdleMs, session.createdAt + sessionAbsoluteMs);
}

/** Starts a session; always a new token (never one the client brought: no fixation). */
export async function createSession(
  user: { id: number; role: UserRole },
  now = Date.now(),
): Promise<{ token: string; session: Session }> {
  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  const id = hashToken(token);
  const session: Session = {
    id,
    userId: user.id,
    role: user.role,
    createdAt: now,
    lastSeenAt: now,
  };
  const item: SessionItem = {
    pk: keyOf(id),
    userId: user.id,
    role: user.role,
    createdAt: now,
    lastSeenAt: now,
    ttl: Math.ceil(expiresAt(session) / 1_000),
  };
  await withDynamo((dynamo, { PutCommand }) =>
    dynamo.send(
      new PutCommand({
        TableName: config().dynamo.sessionsTable,
        Item: item,
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
  return { token, session };
}

/**
 * The live session of `token`, or undefined (unknown, malformed, idle too long, or past its
 * absolute lifetime). Extends the idle expiry when it was last written long enough ago.
 */
export async function findSession(token: string, now = Date.now()): Promise<Session | undefined> {
  if (!TOKEN_SHAPE.test(token)) return undefined;
  const session = await findSessionById(hashToken(token), now);
  if (session && now - session.lastSeenAt >= TOUCH_INTERVAL_MS) {
    await touch(session, now);
    session.lastSeenAt = now;
  }
  return session;
}

/**
 * The live session whose id (token hash) is `id`, without extending it: for checks made on the
 * session's behalf (a WebSocket ticket, a connection) rather than by a request that carries it.
 */
export async function findSessionById(id: string, now = Date.now()): Promise<Session | undefined> {
  const TableName = config().dynamo.sessionsTable;
  const { Item } = await withDynamo((dynamo, { GetCommand }) =>
    dynamo.send(new GetCommand({ TableName, Key: { pk: keyOf(id) }, ConsistentRead: true })),
  );
  if (!Item) return undefined;
  const item = Item as SessionItem;
  const session: Session = {
    id,
    userId: item.userId,
    role: item.role,
    createdAt: item.createdAt,
    lastSeenAt: item.lastSeenAt,
  };
  if (now >= expiresAt(session) || now < session.createdAt - 60_000) return undefined;
  return session;
}

/** When `session` ends at the latest (its absolute lifetime), epoch ms. */
export function sessionEndsBy(session: Pick<Session, 'createdAt'>): number {
  return session.createdAt + config().auth.sessionAbsoluteMs;
}

/** Moves lastSeenAt forward; conditional, so a concurrent touch or a logout is never undone. */
async function touch(session: Session, now: number): Promise<void> {
  try {
    await withDynamo((dynamo, { UpdateCommand }) =>
      dynamo.send(
        new UpdateCommand({
          TableName: config().dynamo.sessionsTable,
          Key: { pk: keyOf(session.id) },
          UpdateExpression: 'SET lastSeenAt = :now, #ttl = :ttl',
          ConditionExpression: 'attribute_exists(pk) AND lastSeenAt = :seen',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':now': now,
            ':seen': session.lastSeenAt,
            ':ttl': Math.ceil(expiresAt({ ...session, lastSeenAt: now }) / 1_000),
          },
        }),
      ),
    );
  } catch (error) {
    // Someone else touched it first (or it was deleted): either way nothing to extend here.
    if (!isConditionFailed(error)) throw error;
  }
}

/** Ends the session of `token` (logout). Unknown tokens are fine. */
export async function deleteSession(token: string): Promise<void> {
  if (!TOKEN_SHAPE.test(token)) return;
  await withDynamo((dynamo, { DeleteCommand }) =>
    dynamo.send(
      new DeleteCommand({
        TableName: config().dynamo.sessionsTable,
        Key: { pk: keyOf(hashToken(token)) },
      }),
    ),
  );
}

/** Ends every session of a user ("log out everywhere", after a password change). */
export async function deleteUserSessions(userId: number): Promise<number> {
  const TableName = config().dynamo.sessionsTable;
  let deleted = 0;
  const pages = queryPages({
    TableName,
    IndexName: 'byUser',
    KeyConditionExpression: 'userId = :u',
    ExpressionAttributeValues: { ':u': userId },
  });
  for await (const items of pages) {
    for (const item of items) {
      await withDynamo((dynamo, { DeleteCommand }) =>
        dynamo.send(new DeleteCommand({ TableName, Key: { pk: item.pk } })),
      );
      deleted += 1;
    }
  }
  return deleted;
}
