/**
 * POST /api/messages/:id/read: the caller has read this message (only this one; idempotent).
 * Answers the real message.
 */
import * as z from 'zod/mini';
import { channelAccess } from '../../lib/authz/channels';
import { NotFoundError } from '../../lib/http/errors';
import { httpHandler } from '../../lib/http/stack';
import { publishIfUpdated } from '../../lib/realtime/publish';
import { messageStore } from '../../lib/storage/messages';
import { messageChannelSchema, snowflakeSchema } from '../../shared/schema';

export const handler = httpHandler(
  { auth: 'session', path: z.strictObject({ id: snowflakeSchema }), body: messageChannelSchema },
  async ({ caller, path, body, log }) => {
    await channelAccess(caller, body.channelId);
    const store = await messageStore();
    const id = BigInt(path.id);
    // Read first: subscribers hear of a read only when it changed the message.
    const before = await store.get(body.channelId, id);
    const message = before && (await store.markRead(body.channelId, id, caller.userId));
    if (!before || !message) throw new NotFoundError('Message not found in this channel');
    await publishIfUpdated(before, message, log);
    return { status: 200, body: message };
  },
);
