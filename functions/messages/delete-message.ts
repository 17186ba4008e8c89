/** DELETE /api/messages/:id?channelId=: by its author, the workspace owner or a teacher member. 204. */
import * as z from 'zod/mini';
import { channelAccess, mayDeleteMessage } from '../../lib/authz/channels';
import { ForbiddenError, NotFoundError } from '../../lib/http/errors';
import { httpHandler } from '../../lib/http/stack';
import { publish } from '../../lib/realtime/publish';
import { messageStore } from '../../lib/storage/messages';
import { idParamSchema, snowflakeSchema } from '../../shared/schema';

export const handler = httpHandler(
  {
    auth: 'session',
    path: z.strictObject({ id: snowflakeSchema }),
    query: z.strictObject({ channelId: idParamSchema }),
  },
  async ({ caller, path, query, log }) => {
    const access = await channelAccess(caller, query.channelId);
    const store = await messageStore();
    const id = BigInt(path.id);
    const message = await store.get(query.channelId, id);
    if (!message) throw new NotFoundError('Message not found');
    if (!mayDeleteMessage(caller, access, message.authorId)) {
      throw new ForbiddenError('Only the author, the owner or a teacher may delete this message');
    }
    if (!(await store.delete(query.channelId, id))) throw new NotFoundError('Message not found');
    const { channelId } = query;
    await publish(
      { channelId, event: { type: 'message.deleted', channelId, messageId: path.id } },
      log,
    );
    return { status: 204 };
  },
);
