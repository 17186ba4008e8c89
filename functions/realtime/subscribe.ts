/**
 * {"action":"subscribe","channelId":N}: the channel's events come to this connection, for a caller
 * who may read its history. At most MAX_SUBSCRIPTIONS_PER_CONNECTION channels (LIMIT).
 */
import { channelAccess } from '../../lib/authz/channels';
import { subscribe } from '../../lib/realtime/connections';
import { connectionCaller } from '../../lib/realtime/sessions';
import { FrameError, frameHandler } from '../../lib/websocket/stack';
import {
  MAX_SUBSCRIPTIONS_PER_CONNECTION,
  subscribeFrameSchema,
} from '../../shared/realtime-schema';

export const handler = frameHandler(
  'subscribe',
  subscribeFrameSchema,
  async ({ connectionId, frame, log }) => {
    const caller = await connectionCaller(connectionId, log);
    if (!caller) throw new FrameError('UNAUTHORIZED', 'The session of this connection has ended');
    await channelAccess(caller, frame.channelId);
    const outcome = await subscribe(caller.connection, frame.channelId);
    if (outcome === 'limit') {
      throw new FrameError(
        'LIMIT',
        `A connection subscribes to at most ${MAX_SUBSCRIPTIONS_PER_CONNECTION} channels`,
      );
    }
    if (outcome === 'gone') throw new FrameError('UNAUTHORIZED', 'This connection has ended');
    return { type: 'subscribed', channelId: frame.channelId };
  },
);
