/** WebSocket $disconnect: the connection and its subscriptions are forgotten. */
import { forgetConnection } from '../../lib/realtime/connections';
import { webSocketHandler } from '../../lib/websocket/stack';

export const handler = webSocketHandler(
  async ({ connectionId }) => {
    await forgetConnection(connectionId);
    return { statusCode: 200 };
  },
  (error, { log }) => {
    // Its records expire with their TTL, and a send to it finds it gone (410) and forgets it.
    log.warn('disconnect cleanup failed', { error });
    return { statusCode: 200 };
  },
);
