/** GET /api/channels/:id/unread: {unreadCount}, exact up to 1,000 (then 1,000 and capped: true). */
import { channelAccess } from '../../lib/authz/channels';
import { httpHandler } from '../../lib/http/stack';
import { messageStore } from '../../lib/storage/messages';
import { idPathSchema } from '../../shared/schema';

export const handler = httpHandler(
  { auth: 'session', path: idPathSchema },
  async ({ caller, path }) => {
    await channelAccess(caller, path.id);
    const { unreadCount, capped } = await (await messageStore()).unreadCount(
      path.id,
      caller.userId,
    );
    return { status: 200, body: capped ? { unreadCount, capped } : { unreadCount } };
  },
);
