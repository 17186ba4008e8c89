/**
 * Client frames on a live-chat connection: what a malformed frame gets (an error event, the
 * connection staying open), ping, and subscribing: the history-reading rule, bad channel ids, DMs,
 * and the 100-channel limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_FRAME_BYTES, MAX_SUBSCRIPTIONS_PER_CONNECTION } from '../../shared/realtime-schema';
import type { Actor } from '../helpers/actors';
import { actor } from '../helpers/actors';
import { classroom, type Json, newChannel, postMessage } from '../helpers/live-chat';
import {
  connectAs,
  type Event,
  type LiveClient,
  LiveClients,
  messageIdOf,
  warmFrameFunctions,
} from '../helpers/ws-client';

const sockets = new LiveClients();
let owner: Actor;
let student: Actor;
let outsider: Actor;
let workspaceId: number;
let channelId: number;
let live: LiveClient;

beforeAll(async () => {
  const room = await classroom(1);
  ({ owner, workspaceId } = room);
  student = room.students[0] as Actor;
  outsider = await actor();
  channelId = await newChannel(owner, workspaceId);
  live = await sockets.add(connectAs(student.client));
  await warmFrameFunctions(live);
});

afterAll(sockets.closeAll);

const isError = (e: Event) => e.type === 'error';

/** Sends `frame` (text) and waits for the error event it gets. */
const errorFor = (client: LiveClient, frame: unknown) => client.request(frame, isError);

/** Sends `text` as a binary frame and waits for the error event it gets. */
async function errorForBinary(client: LiveClient, text: string): Promise<Event> {
  const from = client.received.length;
  client.sendBinary(text);
  return client.next((e) => client.received.indexOf(e) >= from && isError(e));
}

const badRequest = (extra: Json = {}) => ({
  type: 'error',
  code: 'BAD_REQUEST',
  message: expect.any(String),
  ...extra,
});

/** `{"action":"ping"}` padded with spaces inside the object to exactly `bytes` bytes. */
const paddedPing = (bytes: number) => {
  const bare = '{"action":"ping"}';
  return `{"action":"ping"${' '.repeat(bytes - bare.length)}}`;
};

describe('ping', () => {
  it('answers {"type":"pong"}', async () => {
    expect(await live.request({ action: 'ping' }, (e) => e.type === 'pong')).toEqual({
      type: 'pong',
    });
  });
});

describe('a frame the server cannot take gets BAD_REQUEST and the connection stays open', () => {
  it('an unknown action, with the action and the channel id it named', async () => {
    expect(await errorFor(live, { action: 'dance' })).toEqual(badRequest({ action: 'dance' }));
    expect(await errorFor(live, { action: 'dance', channelId })).toEqual(
      badRequest({ action: 'dance', channelId }),
    );
    await live.ping();
  });

  it('a frame without an action, or that is not a JSON object', async () => {
    expect(await errorFor(live, { channelId })).toEqual(badRequest({ channelId }));
    expect(await errorFor(live, '42')).toEqual(badRequest());
    expect(await errorFor(live, '[]')).toEqual(badRequest());
    await live.ping();
  });

  it('bad JSON', async () => {
    expect(await errorFor(live, '{"action": "ping"')).toEqual(badRequest());
    expect(await errorFor(live, 'hello')).toEqual(badRequest());
    await live.ping();
  });

  it('a binary frame, even one whose bytes are a valid frame', async () => {
    expect(await errorForBinary(live, '{"action":"ping"}')).toMatchObject(badRequest());
    expect(await errorForBinary(live, JSON.stringify({ action: 'dance' }))).toMatchObject(
      badRequest(),
    );
    const subscribe = await errorForBinary(
      live,
      JSON.stringify({ action: 'subscribe', channelId }),
    );
    expect(subscribe).toMatchObject(badRequest());
    // The refused subscribe did not subscribe: typing there is refused as unsubscribed.
    expect(await errorFor(live, { action: 'typing', channelId })).toEqual(
      badRequest({ action: 'typing', channelId }),
    );
    await live.ping();
  });

  it(`a frame over ${MAX_FRAME_BYTES} bytes, which is not acted on`, async () => {
    const pad = 'x'.repeat(40 * 1024);
    expect(await errorFor(live, { action: 'subscribe', channelId, pad })).toMatchObject(
      badRequest({ action: 'subscribe' }),
    );
    expect(await errorFor(live, { action: 'dance', pad })).toMatchObject(badRequest());
    expect(await errorFor(live, paddedPing(MAX_FRAME_BYTES + 1))).toMatchObject(
      badRequest({ action: 'ping' }),
    );
    // The oversized subscribe did not subscribe.
    expect(await errorFor(live, { action: 'typing', channelId })).toEqual(
      badRequest({ action: 'typing', channelId }),
    );
    await live.ping();
  });

  it(`a frame of exactly ${MAX_FRAME_BYTES} bytes is taken`, async () => {
    const frame = paddedPing(MAX_FRAME_BYTES);
    expect(Buffer.byteLength(frame)).toBe(MAX_FRAME_BYTES);
    expect(await live.request(frame, (e) => e.type === 'pong' || isError(e))).toEqual({
      type: 'pong',
    });
  });

  it('a known action with fields that are not its own', async () => {
    expect(await errorFor(live, { action: 'ping', extra: 1 })).toEqual(
      badRequest({ action: 'ping' }),
    );
    await live.ping();
  });
});

describe('subscribe', () => {
  it('subscribes a member; subscribing twice is harmless (one event per message)', async () => {
    const member = await sockets.add(connectAs(student.client));
    expect(await member.subscribe(channelId)).toEqual({ type: 'subscribed', channelId });
    expect(await member.subscribe(channelId)).toEqual({ type: 'subscribed', channelId });
    const first = await postMessage(owner, channelId, 'once');
    const marker = await postMessage(owner, channelId, 'marker');
    await member.next((e) => messageIdOf(e) === marker.id);
    await member.next((e) => messageIdOf(e) === first.id);
    // Both fan-outs have reached this connection: a second copy would have come with the first.
    const marker2 = await postMessage(owner, channelId, 'marker 2');
    await member.next((e) => messageIdOf(e) === marker2.id);
    expect(member.all((e) => messageIdOf(e) === first.id)).toHaveLength(1);
  });

  it('is NOT_FOUND for a channel of a workspace the user is not a member of', async () => {
    const stranger = await sockets.add(connectAs(outsider.client));
    expect(await stranger.subscribe(channelId)).toEqual({
      type: 'error',
      action: 'subscribe',
      channelId,
      code: 'NOT_FOUND',
      message: expect.any(String),
    });
  });

  it('is NOT_FOUND for a channel that does not exist', async () => {
    const missing = 2_147_483_000;
    expect(await live.subscribe(missing)).toEqual({
      type: 'error',
      action: 'subscribe',
      channelId: missing,
      code: 'NOT_FOUND',
      message: expect.any(String),
    });
  });

  it('is BAD_REQUEST for a channel id that is not a positive integer id', async () => {
    const answer = (channel: unknown) => {
      const frame =
        channel === undefined
          ? { action: 'subscribe' }
          : { action: 'subscribe', channelId: channel };
      return live.request(frame, isError);
    };
    expect(await answer(0)).toEqual(badRequest({ action: 'subscribe', channelId: 0 }));
    expect(await answer(-3)).toEqual(badRequest({ action: 'subscribe', channelId: -3 }));
    expect(await answer('x')).toEqual(badRequest({ action: 'subscribe' }));
    expect(await answer(String(channelId))).toEqual(badRequest({ action: 'subscribe' }));
    expect(await answer(1.5)).toEqual(badRequest({ action: 'subscribe' }));
    expect(await answer(undefined)).toEqual(badRequest({ action: 'subscribe' }));
    expect(await answer(null)).toEqual(badRequest({ action: 'subscribe' }));
    await live.ping();
  });

  it("subscribes a DM's participants, and nobody else (NOT_FOUND)", async () => {
    const dm = await student.client.post('/api/channels/dm', { userId: owner.id });
    expect(dm.status).toBe(200);
    const dmId = (dm.body as Json).id as number;
    const [mine, theirs, stranger] = await Promise.all([
      sockets.add(connectAs(student.client)),
      sockets.add(connectAs(owner.client)),
      sockets.add(connectAs(outsider.client)),
    ]);
    expect(await mine.subscribe(dmId)).toEqual({ type: 'subscribed', channelId: dmId });
    expect(await theirs.subscribe(dmId)).toEqual({ type: 'subscribed', channelId: dmId });
    expect(await stranger.subscribe(dmId)).toMatchObject({
      type: 'error',
      action: 'subscribe',
      channelId: dmId,
      code: 'NOT_FOUND',
    });
  });
});

describe('unsubscribe', () => {
  it('answers unsubscribed, also for a channel it was not subscribed to', async () => {
    const client = await sockets.add(connectAs(student.client));
    await client.subscribe(channelId);
    const answer = (id: number) =>
      client.request({ action: 'unsubscribe', channelId: id }, (e) => e.channelId === id);
    expect(await answer(channelId)).toEqual({ type: 'unsubscribed', channelId });
    expect(await answer(channelId)).toEqual({ type: 'unsubscribed', channelId });
  });
});

describe(`at most ${MAX_SUBSCRIPTIONS_PER_CONNECTION} channels per connection`, () => {
  it('answers LIMIT for one more, and takes it once one is given up', async () => {
    const count = MAX_SUBSCRIPTIONS_PER_CONNECTION + 1;
    const channels: number[] = [];
    // In small batches: each concurrent request can start one more Lambda worker.
    for (let start = 0; start < count; start += 8) {
      const batch = Array.from({ length: Math.min(8, count - start) }, (_, i) =>
        newChannel(owner, workspaceId, `limit-${start + i}`),
      );
      channels.push(...(await Promise.all(batch)));
    }
    const client = await sockets.add(connectAs(student.client));
    const within = channels.slice(0, MAX_SUBSCRIPTIONS_PER_CONNECTION);
    for (let start = 0; start < within.length; start += 5) {
      const answers = await Promise.all(
        within.slice(start, start + 5).map((id) => client.subscribe(id)),
      );
      for (const [i, answer] of answers.entries()) {
        expect(answer).toEqual({ type: 'subscribed', channelId: within[start + i] });
      }
    }
    const extra = channels[MAX_SUBSCRIPTIONS_PER_CONNECTION] as number;
    expect(await client.subscribe(extra)).toEqual({
      type: 'error',
      action: 'subscribe',
      channelId: extra,
      code: 'LIMIT',
      message: expect.any(String),
    });
    // At the limit, subscribing again to a subscribed channel is still harmless.
    const first = within[0] as number;
    expect(await client.subscribe(first)).toEqual({ type: 'subscribed', channelId: first });
    // The refused one delivers nothing; a subscribed one does.
    const refused = await postMessage(owner, extra, 'not for you');
    const marker = await postMessage(owner, first, 'marker');
    await client.next((e) => messageIdOf(e) === marker.id);
    expect(client.all((e) => messageIdOf(e) === refused.id)).toEqual([]);
    // Giving one up makes room.
    await client.request({ action: 'unsubscribe', channelId: first }, (e) => e.channelId === first);
    expect(await client.subscribe(extra)).toEqual({ type: 'subscribed', channelId: extra });
  }, 240_000);
});
