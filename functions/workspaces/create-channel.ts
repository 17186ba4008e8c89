/** POST /api/workspaces/:id/channels: by the owner or a teacher member. 201. */
import { channelCreatorWorkspace } from '../../lib/authz/channels';
import { httpHandler } from '../../lib/http/stack';
import { storage } from '../../lib/storage';
import { idPathSchema, insertChannelSchema } from '../../shared/schema';

export const handler = httpHandler(
  { auth: 'session', path: idPathSchema, body: insertChannelSchema },
  async ({ caller, path, body }) => {
    await channelCreatorWorkspace(caller, path.id);
    return { status: 201, body: await storage.createChannel({ ...body, workspaceId: path.id }) };
  },
);
