/**
 * POST and DELETE /api/channels/:id/pin/:messageId: a moderator pins or unpins a message of that
 * channel (404 otherwise; at most 50 pins: 409). Answers the channel with its pinnedMessages.
 */
import * as z from 'zod/mini';
import { moderatedChannel } from '../../lib/authz/channels';
import { NotFoundError } from '../../lib/http/errors';
import { httpHandler } from '../../lib/http/stack';
import { publishIfUpdated } from '../../lib/realtime/publish';
import { messageStore } from '../../lib/storage/messages';
import { type ChannelWithPins, idParamSchema, snowflakeSchema } from '../../shared/schema';

export const handler = httpHandler(
  {
    auth: 'session',
    path: z.strictObject({ id: idParamSchema, messageId: snowflakeSchema }),
    operationIds: { DELETE: 'unpin-message' },
  },
  async ({ caller, path, event, log }) => {
    const { channel } = await moderatedChannel(caller, path.id);
    const store = await messageStore();
    const messageId = BigInt(path.messageId);
    const unpin = event.requestContext?.http?.method === 'DELETE';
    const before = await store.get(path.id, messageId);
    if (!before) throw new NotFoundError('Message not found in this channel');
    const pinned = unpin
      ? await store.unpin(path.id, messageId)
      : await store.pin(path.id, messageId);
    if (!pinned) throw new NotFoundError('Message not found in this channel');
    await publishIfUpdated(before, await store.get(path.id, messageId), log);
    const body: ChannelWithPins = { ...channel, pinnedMessages: pinned };
    return { status: 200, body };
  },
);
