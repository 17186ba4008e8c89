/** GET /api/workspaces: the workspaces the caller is a member of. */
import { httpHandler } from '../../lib/http/stack';
import { storage } from '../../lib/storage';

export const handler = httpHandler({ auth: 'session' }, async ({ caller }) => ({
  status: 200,
  body: await storage.getWorkspaces(caller.userId),
}));
