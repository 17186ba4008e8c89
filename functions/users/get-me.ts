/** GET /api/users/me: the caller. */
import { UnauthorizedError } from '../../lib/http/errors';
import { httpHandler } from '../../lib/http/stack';
import { storage } from '../../lib/storage';

export const handler = httpHandler({ auth: 'session' }, async ({ caller }) => {
  const user = await storage.getUser(caller.userId);
  // A session whose user no longer exists is no session.
  if (!user) throw new UnauthorizedError();
  return { status: 200, body: user };
});
