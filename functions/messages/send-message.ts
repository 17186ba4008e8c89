/**
 * POST /api/messages: a channel member posts (announcement channels: moderators only); the author
 * is the caller. 201 + message.
 */
import { insertMessageSchema } from '../../shared/schema';
import { channelAccess } from '../../lib/authz/channels';
import { ForbiddenError } from '../../lib/http/errors';
import { httpHandler } from '../../lib/http/stack';
import { messageStore } from '../../lib/storage/messages';

export const handler = httpHandler({ auth: 'session', body: insertMessageSchema }, async ({ caller, body }) => {
  const access = await channelAccess(caller, body.channelId);
  if (!access.poster) throw new ForbiddenError('Only teachers and the owner post in announcement channels');
  const store = await messageStore();
  const message = await store.create({
    channelId: body.channelId,
    authorId: caller.userId,
    content: body.content,
    type: body.type,
    fileUrl: body.fileUrl ?? null,
    isHomework: body.isHomework,
  });
  return { status: 201, body: message };
});
