/** {"action":"ping"}: {"type":"pong"} (a client's keep-alive; API Gateway idles out at 10 min). */
import { frameHandler } from '../../lib/websocket/stack';
import { pingFrameSchema } from '../../shared/realtime-schema';

export const handler = frameHandler('ping', pingFrameSchema, async () => ({ type: 'pong' }));
