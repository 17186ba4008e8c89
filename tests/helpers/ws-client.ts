/**
 * A WebSocket client for e2e tests of the live chat: opens a connection the way a browser or an
 * app does (session cookie, or a ticket), keeps every event it receives, and waits for the ones a
 * test expects. Events are parsed JSON; `received` is all of them, in arrival order.
 */
import { expect, inject } from 'vitest';
import WebSocket from 'ws';
import type { Client } from './http-client';

export type Event = Record<string, unknown> & { type?: string };

/** How long a test waits for an event that should come. */
export const EVENT_TIMEOUT_MS = 15_000;

export class LiveClient {
  readonly received: Event[] = [];
  private waiters: { match: (e: Event) => boolean; resolve: (e: Event) => void }[] = [];
  /** Set when the server (or we) closed the connection: the close code. */
  closedWith: number | undefined;
  readonly closed: Promise<number>;

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const event = JSON.parse(String(data)) as Event;
      this.received.push(event);
      for (const waiter of [...this.waiters]) {
        if (waiter.match(event)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(event);
        }
      }
    });
    this.closed = new Promise((resolve) =>
      socket.once('close', (code) => {
        this.closedWith = code;
        resolve(code);
      }),
    );
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Sends `text` as a binary frame (its bytes), which the server must refuse. */
  sendBinary(text: string): void {
    this.socket.send(Buffer.from(text), { binary: true });
  }

  /** The events received so far that `match` accepts, in arrival order. */
  all(match: (e: Event) => boolean): Event[] {
    return this.received.filter(match);
  }

  /** The events of `type` received so far (for channel `channelId` when given). */
  allOf(type: string, channelId?: number): Event[] {
    return this.all(
      (e) => e.type === type && (channelId === undefined || e.channelId === channelId),
    );
  }

  /** The first event (already received or still to come) that `match` accepts. */
  next(match: (e: Event) => boolean, timeoutMs = EVENT_TIMEOUT_MS): Promise<Event> {
    const seen = this.received.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(
          new Error(`no matching event in ${timeoutMs} ms; got ${JSON.stringify(this.received)}`),
        );
      }, timeoutMs);
      const done = (e: Event) => {
        clearTimeout(timer);
        resolve(e);
      };
      this.waiters.push({ match, resolve: done });
    });
  }

  /** The next event of `type` (for channel `channelId` when given). */
  nextOf(type: string, channelId?: number, timeoutMs?: number): Promise<Event> {
    return this.next(
      (e) => e.type === type && (channelId === undefined || e.channelId === channelId),
      timeoutMs,
    );
  }

  /** Sends a frame and waits for the answer that `match` accepts (received after sending). */
  async request(frame: unknown, match: (e: Event) => boolean): Promise<Event> {
    const from = this.received.length;
    this.send(frame);
    return this.next((e) => this.received.indexOf(e) >= from && match(e));
  }

  /** Subscribes to a channel and waits for the answer (subscribed or error). */
  subscribe(channelId: number): Promise<Event> {
    return this.request(
      { action: 'subscribe', channelId },
      (e) => (e.type === 'subscribed' || e.type === 'error') && e.channelId === channelId,
    );
  }

  /**
   * A round trip (ping → pong) after which every event sent before it has arrived: the server
   * answers frames in order on one connection, and a fan-out queued before the ping that is still
   * running is waited for by `settle` below, not by this.
   */
  async ping(): Promise<void> {
    await this.request({ action: 'ping' }, (e) => e.type === 'pong');
  }

  /** Waits for the connection to be closed (by the server), at most `timeoutMs`: its close code. */
  closedWithin(timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the connection is still open after ${timeoutMs} ms`)),
        timeoutMs,
      );
      void this.closed.then((code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
  }

  /** Drops the TCP connection without a closing handshake, as a phone losing its network does. */
  terminate(): void {
    this.socket.terminate();
  }

  close(): Promise<number> {
    if (this.closedWith === undefined) this.socket.close();
    return this.closed;
  }
}

/** A message event's message id (undefined for other events). */
export const messageIdOf = (e: Event) => (e.message as { id?: string } | undefined)?.id;

/** Waits for message.created of `message` on each of `clients`. */
export const createdOn = (message: { id?: unknown }, ...clients: LiveClient[]) =>
  Promise.all(
    clients.map((c) =>
      c.next((e) => e.type === 'message.created' && messageIdOf(e) === message.id),
    ),
  );

/** Subscribes `live` to each of `channels`, expecting `subscribed` for every one. */
export async function subscribeAll(live: LiveClient, ...channels: number[]): Promise<LiveClient> {
  for (const channelId of channels) {
    expect(await live.subscribe(channelId)).toEqual({ type: 'subscribed', channelId });
  }
  return live;
}

/** What serverless-offline sends on a connection when the route's function crashed or timed out. */
const isEmulatorCrash = (e: Event) => e.type === undefined && e.message === 'Internal server error';

/**
 * Starts the workers of the two 3-second functions (ping, $default) before a test asserts on
 * their answers. A cold start on the busy 2-core test machine can outlast that timeout (on Lambda
 * it takes milliseconds), and the emulator then answers its crash body instead: that answer is
 * tried again, a few times; any other wrong answer fails at once.
 */
export async function warmFrameFunctions(client: LiveClient): Promise<void> {
  const probes: [unknown, (e: Event) => boolean][] = [
    [{ action: 'ping' }, (e) => e.type === 'pong'],
    [{ action: 'warm-up' }, (e) => e.type === 'error' && e.action === 'warm-up'],
  ];
  for (const [frame, answered] of probes) {
    for (let attempt = 1; ; attempt += 1) {
      const answer = await client.request(frame, (e) => answered(e) || isEmulatorCrash(e));
      if (!isEmulatorCrash(answer)) break;
      if (attempt === 3) throw new Error(`${JSON.stringify(frame)} crashed ${attempt} times`);
    }
  }
}

/** The WebSocket API's URL of the e2e server. */
export const webSocketUrl = () => inject('offlineWebSocketUrl');

/** What the upgrade request answered when the server refused it. */
export class RefusedUpgrade extends Error {
  constructor(readonly status: number) {
    super(`WebSocket upgrade refused with ${status}`);
  }
}

/** Opens a connection; `cookie` and `query` as the client would send them. */
export function connect(
  options: { cookie?: string; query?: Record<string, string> } = {},
): Promise<LiveClient> {
  const url = new URL(webSocketUrl());
  for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, value);
  const socket = new WebSocket(url, {
    headers: options.cookie ? { cookie: options.cookie } : {},
  });
  const client = new LiveClient(socket);
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(client));
    socket.once('unexpected-response', (request, response) => {
      // With this listener ws leaves the refused request to us: end it, or its socket lingers.
      request.destroy();
      reject(new RefusedUpgrade(response.statusCode ?? 0));
    });
    socket.once('error', reject);
  });
}

/** The `sid` cookie header of an HTTP client's session. */
export function sessionCookieOf(client: Client): string {
  const sid = client.jar.get('sid');
  if (!sid) throw new Error('the client has no session');
  return `sid=${sid}`;
}

/** Connects with the session cookie of `client`. */
export const connectAs = (client: Client) => connect({ cookie: sessionCookieOf(client) });

/**
 * The status the server refused an upgrade with; fails the test when the connection was accepted
 * (closing it first).
 */
export async function refusalOf(
  options: { cookie?: string; query?: Record<string, string> } = {},
): Promise<number> {
  let accepted: LiveClient;
  try {
    accepted = await connect(options);
  } catch (error) {
    if (error instanceof RefusedUpgrade) return error.status;
    throw error;
  }
  await accepted.close();
  throw new Error('the WebSocket upgrade was accepted');
}

/**
 * POST /api/realtime/ticket as `client`, read raw: the route's 201 is checked by the tests
 * themselves, whether or not openapi.json documents it yet.
 */
export async function requestTicket(client: Client): Promise<{ status: number; body: unknown }> {
  const sid = client.jar.get('sid');
  const response = await fetch(`${client.baseUrl}/api/realtime/ticket`, {
    method: 'POST',
    headers: sid ? { cookie: `sid=${sid}` } : {},
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  const json = (response.headers.get('content-type') ?? '').includes('json');
  return { status: response.status, body: json && text ? JSON.parse(text) : text };
}

/** A connect ticket of `client`'s session. */
export async function ticketOf(client: Client): Promise<string> {
  const reply = await requestTicket(client);
  if (reply.status !== 201) throw new Error(`POST /api/realtime/ticket answered ${reply.status}`);
  return (reply.body as { ticket: string }).ticket;
}

/** Connects with a fresh ticket of `client`'s session, and no cookie. */
export const connectByTicket = async (client: Client) =>
  connect({ query: { ticket: await ticketOf(client) } });

/** Every LiveClient a test file opens, closed in afterAll. */
export class LiveClients {
  private readonly open: LiveClient[] = [];

  /** Keeps `client` (or the one `opening` resolves to) for closeAll. */
  async add(opening: LiveClient | Promise<LiveClient>): Promise<LiveClient> {
    const client = await opening;
    this.open.push(client);
    return client;
  }

  closeAll = async (): Promise<void> => {
    await Promise.all(this.open.map((c) => c.close()));
  };
}
