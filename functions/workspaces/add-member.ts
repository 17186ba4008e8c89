/** POST /api/workspaces/:id/members: the owner adds an existing user (404 if there is none). */
import { ownedWorkspace } from '../../lib/authz/channels';
import { NotFoundError } from '../../lib/http/errors';
import { httpHandler } from '../../lib/http/stack';
import { storage } from '../../lib/storage';
import { addMemberSchema, idPathSchema } from '../../shared/schema';

export const handler = httpHandler(
  { auth: 'session', path: idPathSchema, body: addMemberSchema },
  async ({ caller, path, body }) => {
    await ownedWorkspace(caller, path.id);
    if (!(await storage.getUser(body.userId))) throw new NotFoundError('User not found');
    const workspace = await storage.addMemberToWorkspace(path.id, body.userId);
    if (!workspace) throw new NotFoundError('Workspace not found');
    return { status: 200, body: workspace };
  },
);
