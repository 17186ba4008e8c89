/** {"action":"unsubscribe","channelId":N}: no more events of the channel on this connection. */
import { unsubscribe } from '../../lib/realtime/connections';
import { frameHandler } from '../../lib/websocket/stack';
import { unsubscribeFrameSchema } from '../../shared/realtime-schema';

export const handler = frameHandler(
  'unsubscribe',
  unsubscribeFrameSchema,
  async ({ connectionId, frame }) => {
    await unsubscribe(connectionId, frame.channelId);
    return { type: 'unsubscribed', channelId: frame.channelId };
  },
);
