/** GET /api/channels/:id/pinned: the channel's pinned messages, newest first (members). */
import * as z from 'zod/mini';
import { channelAccess } from '../../lib/authz/channels';
import { httpHandler } from '../../lib/http/stack';
import { messageStore } from '../../lib/storage/messages';
import { idParamSchema } from '../../shared/schema';

export const handler = httpHandler(
  { auth: 'session', path: z.strictObject({ id: idParamSchema }) },
  async ({ caller, path }) => {
    await channelAccess(caller, path.id);
    return { status: 200, body: await (await messageStore()).pinned(path.id) };
  },
);
