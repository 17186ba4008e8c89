/**
 * POST /api/messages/:id/grade: a moderator sets a homework message's grading status (409 for a
 * message that is not homework). Answers the real updated message.
 */
import * as z from 'zod/mini';
import { moderatedChannel } from '../../lib/authz/channels';
import { NotFoundError } from '../../lib/http/errors';
import { httpHandler } from '../../lib/http/stack';
import { publishIfUpdated } from '../../lib/realtime/publish';
import { messageStore } from '../../lib/storage/messages';
import { gradeMessageSchema, snowflakeSchema } from '../../shared/schema';

export const handler = httpHandler(
  { auth: 'session', path: z.strictObject({ id: snowflakeSchema }), body: gradeMessageSchema },
  async ({ caller, path, body, log }) => {
    await moderatedChannel(caller, body.channelId);
    const store = await messageStore();
    const id = BigInt(path.id);
    const before = await store.get(body.channelId, id);
    const message = before && (await store.grade(body.channelId, id, body.status));
    if (!before || !message) throw new NotFoundError('Message not found in this channel');
    await publishIfUpdated(before, message, log);
    return { status: 200, body: message };
  },
);
