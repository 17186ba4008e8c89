/** POST /api/auth/logout: the session is deleted server-side and the cookie cleared. 204. */
import { clearSessionCookie } from '../../lib/http/session-cookie';
import { httpHandler } from '../../lib/http/stack';
import { deleteSession } from '../../lib/sessions/session-store';

export const handler = httpHandler({ auth: 'session' }, async ({ event, sessionToken }) => {
  if (sessionToken) await deleteSession(sessionToken);
  return { status: 204, cookies: [clearSessionCookie(event)] };
});
