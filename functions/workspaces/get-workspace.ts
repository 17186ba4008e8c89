/** GET /api/workspaces/:id: members only (404 for anyone else). */
import { memberWorkspace } from '../../lib/authz/channels';
import { httpHandler } from '../../lib/http/stack';
import { idPathSchema } from '../../shared/schema';

export const handler = httpHandler(
  { auth: 'session', path: idPathSchema },
  async ({ caller, path }) => ({ status: 200, body: await memberWorkspace(caller, path.id) }),
);
