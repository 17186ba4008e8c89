/** GET /api/channels/:id/pinned: the channel's pinned messages, newest first (members). */
import { channelAccess } from '../../lib/authz/channels';
import { httpHandler } from '../../lib/http/stack';
import { messageStore } from '../../lib/storage/messages';
import { idPathSchema } from '../../shared/schema';

export const handler = httpHandler(
  { auth: 'session', path: idPathSchema },
  async ({ caller, path }) => {
    await channelAccess(caller, path.id);
    return { status: 200, body: await (await messageStore()).pinned(path.id) };
  },
);
