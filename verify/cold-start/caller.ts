/** The signed-in caller every first invocation runs as, and the event each function gets. */
import { httpEvent, webSocketEvent } from '../../harness/lambda-events';
import { openConnection } from '../../lib/realtime/connections';
import { createSession } from '../../lib/sessions/session-store';
import { storage } from '../../lib/storage';
import type { FunctionSpec } from './settings';

/** A signed-in teacher, and what the WebSocket routes' samples need of theirs. */
export interface Caller {
  token: string;
  /** The session cookie's value for a sample of function `name`. */
  sessionFor(name: string): Promise<string>;
  connectionId: string;
  /** The frame each WebSocket action route gets. */
  frames: Record<string, unknown>;
  /** A channel nobody subscribes to. */
  quietChannelId: number | undefined;
  /** Records the connection (as $connect does) before each sample that needs one. */
  openTheConnection(): Promise<unknown>;
}

export async function signedInTeacher(): Promise<Caller> {
  // A logged-in teacher, so every route's first invocation looks its session up.
  const username = `coldstart${Date.now()}`;
  const user = await storage.createUser({
    username,
    password: 'cold-start-password',
    name: 'Cold Start',
    email: `${username}@example.test`,
    role: 'teacher',
  });
  const { token, session } = await createSession(user);
  // The WebSocket routes: a channel of the teacher's to subscribe to, and one nobody subscribes
  // to, whose fan-out reads its readers and finds no subscriber (so no delivery is attempted:
  // the Management API has no endpoint here), and where typing is refused (not subscribed) before
  // it would invoke the fan-out.
  const workspace = await storage.createWorkspace({
    name: 'Cold start',
    ownerId: user.id,
    members: [user.id],
  });
  const [subscribedChannel, quietChannel] = await Promise.all(
    ['subscribed', 'quiet'].map((name) =>
      storage.createChannel({ workspaceId: workspace.id, name, type: 'text' }),
    ),
  );
  const connectionId = `coldstart${Date.now()}=`;
  return {
    token,
    // logout ends the session it is given: each of its samples gets a session of its own.
    sessionFor: async (name) => (name === 'logout' ? (await createSession(user)).token : token),
    connectionId,
    frames: {
      ping: { action: 'ping' },
      subscribe: { action: 'subscribe', channelId: subscribedChannel?.id },
      unsubscribe: { action: 'unsubscribe', channelId: subscribedChannel?.id },
      typing: { action: 'typing', channelId: quietChannel?.id },
      $default: { action: 'shout' },
    },
    quietChannelId: quietChannel?.id,
    openTheConnection: () =>
      openConnection({
        connectionId,
        userId: user.id,
        role: user.role,
        sessionId: session.id,
        connectedAt: Date.now(),
        expiresAt: Date.now() + 3_600_000,
      }),
  };
}

/** The event a function's first invocation gets, by what triggers it: HTTP, WebSocket, or else. */
export function eventFor(name: string, spec: FunctionSpec, caller: Caller) {
  const route = spec.events?.find((e) => e.httpApi)?.httpApi;
  const webSocketRoute = spec.events?.find((e) => e.websocket)?.websocket?.route;
  const pathParameters = Object.fromEntries(
    [...(route?.path ?? '').matchAll(/\{(\w+)\+?\}/g)].map((m) => [
      m[1] as string,
      m[0].endsWith('+}') ? 'nothing/here' : '1',
    ]),
  );
  const path = (route?.path ?? '/').replace(
    /\{(\w+)\+?\}/g,
    (m, key: string) => pathParameters[key] ?? m,
  );
  const event = route
    ? httpEvent({
        method: route.method.toUpperCase(),
        path,
        pathParameters,
        cookies: [`sid=${caller.token}`], // replaced per sample for logout
        headers: { 'content-type': 'application/json' },
        ...(['POST', 'PATCH', 'PUT', 'DELETE'].includes(route.method.toUpperCase())
          ? { body: '{}' }
          : {}),
      })
    : webSocketRoute
      ? webSocketEvent(webSocketRoute, caller.connectionId, {
          ...(webSocketRoute === '$connect' ? { headers: { Cookie: `sid=${caller.token}` } } : {}),
          frame: caller.frames[webSocketRoute],
        })
      : name === 'realtime-fan-out'
        ? {
            channelId: caller.quietChannelId,
            event: { type: 'message.deleted', channelId: caller.quietChannelId, messageId: '1' },
          }
        : { source: 'aws.events', 'detail-type': 'Scheduled Event' };
  return { event, isHttp: route !== undefined, webSocketRoute };
}
