/**
 * POST /api/realtime/ticket: a single-use ticket, valid 60 s, that opens one WebSocket connection
 * for this session (`?ticket=`): for clients whose upgrade request cannot carry the cookie. 201.
 */
import { httpHandler } from '../../lib/http/stack';
import { issueTicket } from '../../lib/realtime/tickets';
import type { RealtimeTicket } from '../../shared/realtime-schema';

export const handler = httpHandler({ auth: 'session' }, async ({ caller }) => {
  const { ticket, expiresAt } = await issueTicket({ ...caller, id: caller.sessionId });
  const body: RealtimeTicket = { ticket, expiresAt: expiresAt.toISOString() };
  return { status: 201, body };
});
