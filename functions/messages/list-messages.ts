/**
 * GET /api/channels/:id/messages?limit=&before=&after= (and its alias GET /api/messages/:channelId, routed as /api/messages/{id}):
 * a page of history, oldest to newest. limit 1..100 (default 50); cursors are exclusive message ids.
 */
import { channelAccess } from '../../lib/authz/channels';
import { httpHandler } from '../../lib/http/stack';
import { messageStore } from '../../lib/storage/messages';
import { idPathSchema, messageHistoryQuerySchema } from '../../shared/schema';

// One handler serves both routes; both name the channel id `id` in their path.
export const handler = httpHandler(
  { auth: 'session', path: idPathSchema, query: messageHistoryQuerySchema },
  async ({ caller, path, query }) => {
    const channelId = path.id;
    await channelAccess(caller, channelId);
    const store = await messageStore();
    const page = await store.history(channelId, {
      limit: query.limit,
      ...(query.before === undefined ? {} : { before: BigInt(query.before) }),
      ...(query.after === undefined ? {} : { after: BigInt(query.after) }),
    });
    return { status: 200, body: page };
  },
);
