/** POST /api/workspaces/:id/channels: by the owner or a teacher member. 201. */
import * as z from 'zod/mini';
import { channelCreatorWorkspace } from '../../lib/authz/channels';
import { httpHandler } from '../../lib/http/stack';
import { storage } from '../../lib/storage';
import { idParamSchema, insertChannelSchema } from '../../shared/schema';

export const handler = httpHandler(
  { auth: 'session', path: z.strictObject({ id: idParamSchema }), body: insertChannelSchema },
  async ({ caller, path, body }) => {
    await channelCreatorWorkspace(caller, path.id);
    return { status: 201, body: await storage.createChannel({ ...body, workspaceId: path.id }) };
  },
);
