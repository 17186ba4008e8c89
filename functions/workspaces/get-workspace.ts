/** GET /api/workspaces/:id: members only (404 for anyone else). */
import * as z from 'zod/mini';
import { memberWorkspace } from '../../lib/authz/channels';
import { httpHandler } from '../../lib/http/stack';
import { idParamSchema } from '../../shared/schema';

export const handler = httpHandler(
  { auth: 'session', path: z.strictObject({ id: idParamSchema }) },
  async ({ caller, path }) => ({ status: 200, body: await memberWorkspace(caller, path.id) }),
);
