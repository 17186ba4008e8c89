/**
 * Connections and the sessions they were opened with: who may connect, which connection is still
 * someone's, and ending a session's connections when the session ends (logout, a new login).
 */
import { MAX_CONNECTION_MS } from '../../shared/realtime-schema';
import type { Caller } from '../http/types';
import type { Logger } from '../logger';
import { readSessionToken } from '../sessions/cookie';
import {
  findSession,
  findSessionById,
  type Session,
  sessionEndsBy,
} from '../sessions/session-store';
import {
  type ConnectionRecord,
  findConnection,
  forgetConnection,
  openConnection,
  sessionConnectionIds,
} from './connections';
import { closeConnection } from './management-api';
import { redeemTicket } from './tickets';

/** The session a WebSocket upgrade request authenticates with, else undefined. */
async function upgradeSession(
  headers: Record<string, string | undefined>,
  query: Record<string, string | undefined>,
): Promise<Session | undefined> {
  // A ticket decides alone: a used, expired or forged one is refused even beside a good cookie.
  if (query.ticket !== undefined) {
    const redeemed = await redeemTicket(query.ticket);
    return redeemed ? findSessionById(redeemed.sessionId) : undefined;
  }
  const cookieHeader = Object.entries(headers).find(([name]) => name.toLowerCase() === 'cookie');
  const token = readSessionToken(cookieHeader?.[1]?.split(';').map((part) => part.trim()));
  return token ? findSession(token) : undefined;
}

/**
 * Accepts connection `connectionId` when its upgrade request carries a live session (cookie) or
 * ticket, recording it; false when it does not.
 */
export async function acceptConnection(
  connectionId: string,
  headers: Record<string, string | undefined>,
  query: Record<string, string | undefined>,
  now = Date.now(),
): Promise<boolean> {
  const session = await upgradeSession(headers, query);
  if (!session) return false;
  await openConnection({
    connectionId,
    userId: session.userId,
    role: session.role,
    sessionId: session.id,
    connectedAt: now,
    expiresAt: Math.min(now + MAX_CONNECTION_MS, sessionEndsBy(session)),
  });
  // A logout between the check above and the record would not have found this connection to
  // close: look again now that the record exists (logout deletes the session first).
  if (!(await findSessionById(session.id))) {
    await forgetConnection(connectionId);
    return false;
  }
  return true;
}

/**
 * The connection `connectionId` as a caller, while both it and its session live; else undefined,
 * and the connection is closed (it belongs to nobody any more).
 */
export async function connectionCaller(
  connectionId: string,
  log: Logger,
): Promise<(Caller & { connection: ConnectionRecord }) | undefined> {
  const connection = await findConnection(connectionId);
  const session = connection && (await findSessionById(connection.sessionId));
  if (connection && session) {
    return {
      userId: connection.userId,
      role: connection.role,
      sessionId: connection.sessionId,
      connection,
    };
  }
  await closeAndForget(connectionId, log);
  return undefined;
}

async function closeAndForget(connectionId: string, log: Logger): Promise<void> {
  await forgetConnection(connectionId);
  try {
    await closeConnection(connectionId);
  } catch (error) {
    // Its record is gone, so nothing is delivered to it; only the socket stays until it idles out.
    log.warn('could not close a connection', { connectionId, error });
  }
}

/**
 * Closes every connection of a session that has ended (call after deleting the session): none of
 * them receives anything once this returns.
 */
export async function endSessionConnections(sessionId: string, log: Logger): Promise<number> {
  const ids = await sessionConnectionIds(sessionId);
  await Promise.all(ids.map((id) => closeAndForget(id, log)));
  return ids.length;
}
