/** POST /api/channels: as POST /workspaces/:id/channels, with the workspace in the body. 201. */

import { channelCreatorWorkspace } from '../../lib/authz/channels';
import { httpHandler } from '../../lib/http/stack';
import { storage } from '../../lib/storage';
import { insertChannelWithWorkspaceSchema } from '../../shared/schema';

export const handler = httpHandler(
  { auth: 'session', body: insertChannelWithWorkspaceSchema },
  async ({ caller, body }) => {
    await channelCreatorWorkspace(caller, body.workspaceId);
    return { status: 201, body: await storage.createChannel(body) };
  },
);
