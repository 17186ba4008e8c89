/**
 * POST /api/auth/logout: the session is deleted server-side, its WebSocket connections are closed
 * and the cookie cleared. 204.
 */
import { clearSessionCookie } from '../../lib/http/session-cookie';
import { httpHandler } from '../../lib/http/stack';
import { endSessionConnections } from '../../lib/realtime/sessions';
import { deleteSession } from '../../lib/sessions/session-store';

export const handler = httpHandler(
  { auth: 'session' },
  async ({ caller, event, log, sessionToken }) => {
    if (sessionToken) await deleteSession(sessionToken);
    // After the session: a connection opened meanwhile finds it gone (lib/realtime/sessions.ts).
    await endSessionConnections(caller.sessionId, log);
    return { status: 204, cookies: [clearSessionCookie(event)] };
  },
);
