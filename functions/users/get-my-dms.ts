/** GET /api/users/me/dms: the caller's DM channels, each with its partner (two queries in all). */
import { httpHandler } from '../../lib/http/stack';
import { storage } from '../../lib/storage';

export const handler = httpHandler({ auth: 'session' }, async ({ caller }) => ({
  status: 200,
  body: await storage.getDMsByUser(caller.userId),
}));
