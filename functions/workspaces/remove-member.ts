/**
 * DELETE /api/workspaces/:id/members/:userId: the owner removes a member, or a member leaves. The
 * owner cannot be removed (409).
 */
import * as z from 'zod/mini';
import { memberWorkspace } from '../../lib/authz/channels';
import { ForbiddenError, NotFoundError } from '../../lib/http/errors';
import { httpHandler } from '../../lib/http/stack';
import { storage } from '../../lib/storage';
import { idParamSchema } from '../../shared/schema';

export const handler = httpHandler(
  { auth: 'session', path: z.strictObject({ id: idParamSchema, userId: idParamSchema }) },
  async ({ caller, path }) => {
    const workspace = await memberWorkspace(caller, path.id);
    if (workspace.ownerId !== caller.userId && path.userId !== caller.userId) {
      throw new ForbiddenError('Only the owner may remove other members');
    }
    if (!workspace.members.includes(path.userId)) throw new NotFoundError('Not a member');
    const updated = await storage.removeMemberFromWorkspace(path.id, path.userId);
    if (!updated) throw new NotFoundError('Workspace not found');
    return { status: 200, body: updated };
  },
);
