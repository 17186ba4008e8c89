/** WebSocket $default: a frame no action matched gets a BAD_REQUEST error event. */
import { unmatchedFrameHandler } from '../../lib/websocket/stack';

export const handler = unmatchedFrameHandler();
