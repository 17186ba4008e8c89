/**
 * POST /api/messages/:id/read: the caller has read this message (only this one; idempotent).
 * Answers the real message.
 */
import * as z from 'zod/mini';
import { channelAccess } from '../../lib/authz/channels';
import { NotFoundError } from '../../lib/http/errors';
import { httpHandler } from '../../lib/http/stack';
import { messageStore } from '../../lib/storage/messages';
import { messageChannelSchema, snowflakeSchema } from '../../shared/schema';

export const handler = httpHandler(
  { auth: 'session', path: z.strictObject({ id: snowflakeSchema }), body: messageChannelSchema },
  async ({ caller, path, body }) => {
    await channelAccess(caller, body.channelId);
    const message = await (await messageStore()).markRead(
      body.channelId,
      BigInt(path.id),
      caller.userId,
    );
    if (!message) throw new NotFoundError('Message not found in this channel');
    return { status: 200, body: message };
  },
);
