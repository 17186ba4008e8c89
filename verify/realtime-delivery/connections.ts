/**
 * The WebSocket connections: each opened with a student's session and subscribed to the live
 * channel; every message.created event that reaches any of them is timed on arrival.
 */
import WebSocket from 'ws';
import { DELIVERY_TIMEOUT_MS } from './settings';

/** Arrival times (performance.now()) of message.created events, by message id. */
export const arrivals = new Map<string, number[]>();
let onArrival: (() => void) | undefined;

export function openConnection(webSocketUrl: string, sid: string, liveChannel: number) {
  return new Promise<WebSocket>((resolve, reject) => {
    const socket = new WebSocket(webSocketUrl, { headers: { cookie: `sid=${sid}` } });
    const timer = setTimeout(() => reject(new Error('connect + subscribe timed out')), 60_000);
    socket.once('error', reject);
    socket.once('unexpected-response', (_request, response) =>
      reject(new Error(`upgrade refused: ${response.statusCode}`)),
    );
    socket.once('open', () =>
      socket.send(JSON.stringify({ action: 'subscribe', channelId: liveChannel })),
    );
    socket.on('message', (data) => {
      const at = performance.now();
      const event = JSON.parse(String(data)) as {
        type: string;
        channelId?: number;
        message?: { id: string };
      };
      if (event.type === 'message.created' && event.message) {
        const list = arrivals.get(event.message.id) ?? [];
        list.push(at);
        arrivals.set(event.message.id, list);
        onArrival?.();
      } else if (event.type === 'subscribed' && event.channelId === liveChannel) {
        clearTimeout(timer);
        resolve(socket);
      } else if (event.type === 'error') {
        clearTimeout(timer);
        reject(new Error(`subscribe failed: ${String(data)}`));
      }
    });
  });
}

/** Resolves when message `id` has reached `count` connections; false after the timeout. */
export function delivered(id: string, count: number): Promise<boolean> {
  return new Promise((resolve) => {
    const check = () => {
      if ((arrivals.get(id)?.length ?? 0) >= count) {
        clearTimeout(timer);
        onArrival = undefined;
        resolve(true);
      }
    };
    const timer = setTimeout(() => {
      onArrival = undefined;
      resolve(false);
    }, DELIVERY_TIMEOUT_MS);
    onArrival = check;
    check();
  });
}
