/** GET /api/workspaces/:id/channels: members only; oldest first. */
import { memberWorkspace } from '../../lib/authz/channels';
import { httpHandler } from '../../lib/http/stack';
import { storage } from '../../lib/storage';
import { idPathSchema } from '../../shared/schema';

export const handler = httpHandler(
  { auth: 'session', path: idPathSchema },
  async ({ caller, path }) => {
    await memberWorkspace(caller, path.id);
    return { status: 200, body: await storage.getChannelsByWorkspace(path.id) };
  },
);
