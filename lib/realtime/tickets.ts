/**
 * Connect tickets: how a client on another origin (which cannot send the `sid` cookie with a
 * WebSocket upgrade) opens a connection. A ticket is random, lives TICKET_TTL_SECONDS, opens one
 * connection, and is bound to the session that asked for it. Only its SHA-256 is stored, like a
 * session token. Redeeming deletes it in the same call (DeleteItem returning the old item is atomic),
 * so two connects with one ticket cannot both succeed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { TICKET_TTL_SECONDS } from '../../shared/realtime-schema';
import type { UserRole } from '../../shared/schema';
import { config } from '../config';
import { withDynamo } from '../db/dynamo';

const TICKET_BYTES = 32;
/** base64url of 32 bytes: anything else is not a ticket and costs no database call. */
const TICKET_SHAPE = /^[A-Za-z0-9_-]{43}$/;

interface TicketItem {
  pk: string;
  sessionId: string;
  userId: number;
  role: UserRole;
  /** Epoch ms. DynamoDB's TTL removes the item only eventually: expiry is checked here. */
  expiresAt: number;
  ttl: number;
}

const hashOf = (ticket: string) => createHash('sha256').update(ticket).digest('hex');

/** Issues a ticket for `session`. */
export async function issueTicket(
  session: { id: string; userId: number; role: UserRole },
  now = Date.now(),
): Promise<{ ticket: string; expiresAt: Date }> {
  const ticket = randomBytes(TICKET_BYTES).toString('base64url');
  const expiresAt = now + TICKET_TTL_SECONDS * 1000;
  const item: TicketItem = {
    pk: hashOf(ticket),
    sessionId: session.id,
    userId: session.userId,
    role: session.role,
    expiresAt,
    ttl: Math.ceil(expiresAt / 1000),
  };
  await withDynamo((dynamo, { PutCommand }) =>
    dynamo.send(
      new PutCommand({
        TableName: config().realtime.ticketsTable,
        Item: item,
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
  return { ticket, expiresAt: new Date(expiresAt) };
}

/**
 * Uses up `ticket`: the session it was issued to, or undefined when it is unknown, already used
 * or expired. The caller still checks that the session is alive (logout voids its tickets so).
 */
export async function redeemTicket(
  ticket: string,
  now = Date.now(),
): Promise<{ sessionId: string } | undefined> {
  if (!TICKET_SHAPE.test(ticket)) return undefined;
  const { Attributes } = await withDynamo((dynamo, { DeleteCommand }) =>
    dynamo.send(
      new DeleteCommand({
        TableName: config().realtime.ticketsTable,
        Key: { pk: hashOf(ticket) },
        ReturnValues: 'ALL_OLD',
      }),
    ),
  );
  const item = Attributes as TicketItem | undefined;
  if (!item || item.expiresAt <= now) return undefined;
  return { sessionId: item.sessionId };
}
