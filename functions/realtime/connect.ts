/**
 * WebSocket $connect: accepted with the `sid` session cookie or a `?ticket=` from
 * POST /api/realtime/ticket; anything else is 401 and no connection is kept.
 */
import { DatabaseUnavailableError } from '../../lib/db/errors';
import { acceptConnection } from '../../lib/realtime/sessions';
import { webSocketHandler } from '../../lib/websocket/stack';

export const handler = webSocketHandler(
  async ({ connectionId, event }) => {
    const accepted = await acceptConnection(
      connectionId,
      event.headers ?? {},
      event.queryStringParameters ?? {},
    );
    return accepted ? { statusCode: 200 } : { statusCode: 401, body: 'Unauthorized' };
  },
  (error, { log }) => {
    const unavailable = error instanceof DatabaseUnavailableError;
    log.error('connect failed', { error });
    return unavailable
      ? { statusCode: 503, body: 'Service unavailable' }
      : { statusCode: 500, body: 'Internal server error' };
  },
);
