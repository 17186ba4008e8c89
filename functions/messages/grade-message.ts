/**
 * POST /api/messages/:id/grade: a moderator sets a homework message's grading status (409 for a
 * message that is not homework). Answers the real updated message.
 */
import * as z from 'zod/mini';
import { moderatedChannel } from '../../lib/authz/channels';
import { NotFoundError } from '../../lib/http/errors';
import { httpHandler } from '../../lib/http/stack';
import { messageStore } from '../../lib/storage/messages';
import { gradeMessageSchema, snowflakeSchema } from '../../shared/schema';

export const handler = httpHandler(
  { auth: 'session', path: z.strictObject({ id: snowflakeSchema }), body: gradeMessageSchema },
  async ({ caller, path, body }) => {
    await moderatedChannel(caller, body.channelId);
    const message = await (await messageStore()).grade(
      body.channelId,
      BigInt(path.id),
      body.status,
    );
    if (!message) throw new NotFoundError('Message not found in this channel');
    return { status: 200, body: message };
  },
);
