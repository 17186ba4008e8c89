/**
 * POST /api/messages: a channel member posts (announcement channels: moderators only); the author
 * is the caller. 201 + message. Honors Idempotency-Key (lib/http/idempotency). Subscribers of the
 * channel get message.created (lib/realtime).
 */

import { channelAccess } from '../../lib/authz/channels';
import { ForbiddenError } from '../../lib/http/errors';
import { httpHandler } from '../../lib/http/stack';
import { publish, wireMessage } from '../../lib/realtime/publish';
import { messageStore } from '../../lib/storage/messages';
import { insertMessageSchema } from '../../shared/schema';

export const handler = httpHandler(
  { auth: 'session', body: insertMessageSchema, idempotency: { scope: 'POST /api/messages' } },
  async ({ caller, body, log }) => {
    const access = await channelAccess(caller, body.channelId);
    if (!access.poster)
      throw new ForbiddenError('Only teachers and the owner post in announcement channels');
    const store = await messageStore();
    const message = await store.create({
      channelId: body.channelId,
      authorId: caller.userId,
      content: body.content,
      type: body.type,
      fileUrl: body.fileUrl ?? null,
      isHomework: body.isHomework,
    });
    // A replayed Idempotency-Key answers without running this handler, so it emits nothing.
    const event = {
      type: 'message.created',
      channelId: body.channelId,
      message: wireMessage(message),
    } as const;
    await publish({ channelId: body.channelId, event }, log);
    return { status: 201, body: message };
  },
);
