/** POST /api/workspaces: the caller owns it and is its first member. 201. */

import { httpHandler } from '../../lib/http/stack';
import { storage } from '../../lib/storage';
import { insertWorkspaceSchema } from '../../shared/schema';

export const handler = httpHandler(
  { auth: 'session', body: insertWorkspaceSchema },
  async ({ caller, body }) => ({
    status: 201,
    body: await storage.createWorkspace({ ...body, ownerId: caller.userId }),
  }),
);
