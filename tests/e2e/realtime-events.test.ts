/**
 * The events of the live chat, as real WebSocket clients receive them: message.created, .deleted
 * and .updated reach every connection subscribed to the channel (the actor's own too) with the
 * HTTP API's JSON, and nothing else; typing reaches the other users only, rate-limited.
 *
 * Absence is proven without timing: after the event that must not arrive, a later event that must
 * arrive on the same connection (a marker) is awaited; the unwanted one would have been sent in
 * the same fan-out as the ones its witnesses received, so before the marker's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TYPING_INTERVAL_MS } from '../../shared/realtime-schema';
import type { Actor } from '../helpers/actors';
import { classroom, type Json, newChannel, postMessage } from '../helpers/live-chat';
import {
  connectAs,
  createdOn,
  type Event,
  type LiveClient,
  LiveClients,
  messageIdOf,
  subscribeAll,
} from '../helpers/ws-client';

const sockets = new LiveClients();
let owner: Actor;
let author: Actor;
let classmate: Actor;
let outsider: Actor;
let workspaceId: number;
/** The channel the events happen in. */
let channelA: number;
/** Another channel of the same workspace. */
let channelB: number;
/** A channel of the outsider's own workspace. */
let channelC: number;

beforeAll(async () => {
  const [room, other] = await Promise.all([classroom(2), classroom(0)]);
  ({ owner, workspaceId } = room);
  [author, classmate] = room.students as [Actor, Actor];
  outsider = other.owner;
  [channelA, channelB, channelC] = await Promise.all([
    newChannel(owner, workspaceId, 'a'),
    newChannel(owner, workspaceId, 'b'),
    newChannel(outsider, other.workspaceId, 'c'),
  ]);
});

afterAll(sockets.closeAll);

/** A new connection of `who`, subscribed to `channels`. */
async function subscribed(who: Actor, ...channels: number[]): Promise<LiveClient> {
  return subscribeAll(await sockets.add(connectAs(who.client)), ...channels);
}

/** Posts a marker to `channelId` and waits until every one of `clients` has it. */
async function marker(channelId: number, ...clients: LiveClient[]): Promise<void> {
  const poster = channelId === channelC ? outsider : owner;
  await createdOn(await postMessage(poster, channelId, 'marker'), ...clients);
}

const eventsAbout = (client: LiveClient, messageId: unknown, type?: string) =>
  client.all((e) => messageIdOf(e) === messageId && (type === undefined || e.type === type));

const messageEvents = (e: Event) => typeof e.type === 'string' && e.type.startsWith('message.');

describe('message.created', () => {
  it("reaches every subscriber, the sender's own connection too, as the HTTP 201 body", async () => {
    const [own, teacher] = await Promise.all([
      subscribed(author, channelA),
      subscribed(owner, channelA),
    ]);
    const reply = await author.client.post('/api/messages', { channelId: channelA, content: 'hi' });
    expect(reply.status).toBe(201);
    const expected = { type: 'message.created', channelId: channelA, message: reply.body };
    const [toOwn, toTeacher] = await createdOn(reply.body as Json, own, teacher);
    expect(toOwn).toEqual(expected);
    expect(toTeacher).toEqual(expected);
  });

  it('reaches no connection not subscribed to the channel, member or not', async () => {
    const [witness, elsewhere, stranger] = await Promise.all([
      subscribed(owner, channelA),
      subscribed(classmate, channelB),
      subscribed(outsider, channelC),
    ]);
    const sent = await postMessage(author, channelA, 'for channel A only');
    await createdOn(sent, witness);
    await Promise.all([marker(channelB, elsewhere), marker(channelC, stranger)]);
    expect(eventsAbout(elsewhere, sent.id)).toEqual([]);
    expect(eventsAbout(stranger, sent.id)).toEqual([]);
    expect(elsewhere.all((e) => e.channelId === channelA)).toEqual([]);
    expect(stranger.all((e) => e.channelId === channelA)).toEqual([]);
  });

  it('is sent once for an Idempotency-Key: its replay emits nothing', async () => {
    const listener = await subscribed(classmate, channelA);
    const from = listener.received.length;
    const key = { 'Idempotency-Key': `rt-${Date.now()}-${Math.random()}` };
    const first = await postMessage(author, channelA, 'only once', {}, key);
    await createdOn(first, listener);
    const replay = await author.client.post(
      '/api/messages',
      { channelId: channelA, content: 'only once' },
      key,
    );
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first);
    await marker(channelA, listener);
    const created = listener.received.slice(from).filter((e) => e.type === 'message.created');
    expect(eventsAbout(listener, first.id)).toHaveLength(1);
    expect(created).toHaveLength(2);
  });
});

describe('message.deleted', () => {
  it('reaches the subscribers after DELETE answered 204, and not after a refused one', async () => {
    const [own, teacher] = await Promise.all([
      subscribed(author, channelA),
      subscribed(owner, channelA),
    ]);
    const message = await postMessage(author, channelA, 'delete me');
    await createdOn(message, own, teacher);
    const path = `/api/messages/${message.id}?channelId=${channelA}`;
    // A classmate may not delete it: 403, and no event.
    expect((await classmate.client.request('DELETE', path)).status).toBe(403);
    await marker(channelA, own, teacher);
    expect(eventsAbout(teacher, message.id, 'message.deleted')).toEqual([]);
    expect(teacher.all((e) => e.type === 'message.deleted')).toEqual([]);

    expect((await author.client.request('DELETE', path)).status).toBe(204);
    const expected = { type: 'message.deleted', channelId: channelA, messageId: message.id };
    expect(await own.nextOf('message.deleted', channelA)).toEqual(expected);
    expect(await teacher.nextOf('message.deleted', channelA)).toEqual(expected);
  });
});

describe('message.updated', () => {
  const updatedOf = (client: LiveClient, id: unknown, match: (m: Json) => boolean) =>
    client.next(
      (e) => e.type === 'message.updated' && messageIdOf(e) === id && match(e.message as Json),
    );

  it('follows a read that changed the message, and not a second read of it', async () => {
    const [own, reader] = await Promise.all([
      subscribed(author, channelA),
      subscribed(owner, channelA),
    ]);
    const message = await postMessage(author, channelA, 'read me');
    await createdOn(message, own, reader);
    const path = `/api/messages/${message.id}/read`;
    const read = await owner.client.post(path, { channelId: channelA });
    expect(read.status).toBe(200);
    expect((read.body as Json).readBy).toContain(owner.id);
    const expected = { type: 'message.updated', channelId: channelA, message: read.body };
    expect(await updatedOf(own, message.id, () => true)).toEqual(expected);
    expect(await updatedOf(reader, message.id, () => true)).toEqual(expected);

    const again = await owner.client.post(path, { channelId: channelA });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(read.body);
    await marker(channelA, own, reader);
    expect(eventsAbout(own, message.id, 'message.updated')).toHaveLength(1);
    expect(eventsAbout(reader, message.id, 'message.updated')).toHaveLength(1);
  });

  it('follows a grade, with the graded message', async () => {
    const own = await subscribed(author, channelA);
    const homework = await postMessage(author, channelA, 'my essay', { isHomework: true });
    await createdOn(homework, own);
    const graded = await owner.client.post(`/api/messages/${homework.id}/grade`, {
      channelId: channelA,
      status: 'graded',
    });
    expect(graded.status).toBe(200);
    expect((graded.body as Json).gradingStatus).toBe('graded');
    expect(await updatedOf(own, homework.id, () => true)).toEqual({
      type: 'message.updated',
      channelId: channelA,
      message: graded.body,
    });
  });

  it('follows a pin and an unpin', async () => {
    const own = await subscribed(author, channelA);
    const message = await postMessage(author, channelA, 'pin me');
    await createdOn(message, own);
    const pin = `/api/channels/${channelA}/pin/${message.id}`;
    expect((await owner.client.post(pin)).status).toBe(200);
    const pinned = await updatedOf(own, message.id, (m) => m.isPinned === true);
    expect(pinned).toEqual({
      type: 'message.updated',
      channelId: channelA,
      message: { ...message, isPinned: true },
    });
    expect((await owner.client.request('DELETE', pin)).status).toBe(200);
    const unpinned = await updatedOf(own, message.id, (m) => m.isPinned === false);
    expect(unpinned).toEqual({ type: 'message.updated', channelId: channelA, message });
    expect(eventsAbout(own, message.id, 'message.updated')).toHaveLength(2);
  });
});

describe('unsubscribe', () => {
  it("ends the channel's events on that connection, and only that channel's", async () => {
    const [leaver, witness] = await Promise.all([
      subscribed(classmate, channelA, channelB),
      subscribed(owner, channelA),
    ]);
    const before = await postMessage(author, channelA, 'before');
    await createdOn(before, leaver, witness);
    expect(
      await leaver.request(
        { action: 'unsubscribe', channelId: channelA },
        (e) => e.channelId === channelA,
      ),
    ).toEqual({ type: 'unsubscribed', channelId: channelA });
    const from = leaver.received.length;
    const after = await postMessage(author, channelA, 'after');
    await createdOn(after, witness);
    await marker(channelB, leaver);
    expect(leaver.received.slice(from).filter((e) => e.channelId === channelA)).toEqual([]);
    expect(eventsAbout(leaver, after.id)).toEqual([]);
  });
});

describe('typing', () => {
  const typingOf = (client: LiveClient, channelId: number) =>
    client.all((e) => e.type === 'typing' && e.channelId === channelId);

  it("reaches the other users' connections, none of the typist's own", async () => {
    const channelId = await newChannel(owner, workspaceId, 'typing-1');
    const [typist, typistsOther, other] = await Promise.all([
      subscribed(author, channelId),
      subscribed(author, channelId),
      subscribed(owner, channelId),
    ]);
    typist.send({ action: 'typing', channelId });
    expect(await other.nextOf('typing', channelId)).toEqual({
      type: 'typing',
      channelId,
      userId: author.id,
    });
    await marker(channelId, typist, typistsOther, other);
    expect(typingOf(typist, channelId)).toEqual([]);
    expect(typingOf(typistsOther, channelId)).toEqual([]);
    // The typing frame itself gets no answer.
    expect(typist.all((e) => e.type === 'error')).toEqual([]);
  });

  it(`forwards one of the frames sent within ${TYPING_INTERVAL_MS} ms, and one again after`, async () => {
    const channelId = await newChannel(owner, workspaceId, 'typing-2');
    const [typist, typistsOther, other] = await Promise.all([
      subscribed(author, channelId),
      subscribed(author, channelId),
      subscribed(owner, channelId),
    ]);
    // Back to back on one connection, and at once on another connection of the same user.
    typist.send({ action: 'typing', channelId });
    typist.send({ action: 'typing', channelId });
    typistsOther.send({ action: 'typing', channelId });
    await other.nextOf('typing', channelId);
    await marker(channelId, other);
    expect(typingOf(other, channelId)).toHaveLength(1);

    // Counted from the one forwarded: a frame received after the interval is forwarded again.
    await new Promise((resolve) => setTimeout(resolve, TYPING_INTERVAL_MS + 500));
    typist.send({ action: 'typing', channelId });
    await other.next((e) => e.type === 'typing' && typingOf(other, channelId).length === 2);
    expect(typingOf(other, channelId)).toEqual([
      { type: 'typing', channelId, userId: author.id },
      { type: 'typing', channelId, userId: author.id },
    ]);
  });

  it('is an error on a channel this connection did not subscribe to', async () => {
    const channelId = await newChannel(owner, workspaceId, 'typing-3');
    // Subscribed on another connection of the same user: not enough.
    await subscribed(author, channelId);
    const [typist, other] = await Promise.all([subscribed(author), subscribed(owner, channelId)]);
    const answer = await typist.request({ action: 'typing', channelId }, (e) => e.type === 'error');
    expect(answer).toEqual({
      type: 'error',
      code: 'BAD_REQUEST',
      action: 'typing',
      channelId,
      message: expect.any(String),
    });
    // Not forwarded either; and a channel the user cannot read is refused the same way.
    expect(
      await typist.request({ action: 'typing', channelId: channelC }, (e) => e.type === 'error'),
    ).toMatchObject({ type: 'error', action: 'typing', channelId: channelC });
    await marker(channelId, other);
    expect(typingOf(other, channelId)).toEqual([]);
    expect(typist.all(messageEvents)).toEqual([]);
  });
});
