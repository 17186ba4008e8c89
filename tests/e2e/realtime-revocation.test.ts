/**
 * No event reaches a connection whose user may not read the channel now: a member removed from a
 * workspace hears nothing more of its channels, and the connections of a session that ended
 * (logout, or a login on top of it) are closed by the server within 5 s and hear nothing more,
 * while the same user's other session keeps receiving.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../helpers/actors';
import { classroom, newChannel, postMessage, studentWithPassword } from '../helpers/live-chat';
import {
  connect,
  connectAs,
  createdOn,
  type LiveClient,
  LiveClients,
  sessionCookieOf,
  subscribeAll,
  ticketOf,
  warmFrameFunctions,
} from '../helpers/ws-client';

/** The contract's bound for closing a logged-out session's connections. */
const SESSION_END_CLOSE_MS = 5_000;

const sockets = new LiveClients();
afterAll(sockets.closeAll);

async function subscribedTo(opening: Promise<LiveClient>, ...channels: number[]) {
  return subscribeAll(await sockets.add(opening), ...channels);
}

describe('a member removed from a workspace', () => {
  let owner: Actor;
  let removed: Actor;
  let stays: Actor;
  let workspaceId: number;
  let channelId: number;
  /** A channel of another workspace the removed student still belongs to: for markers. */
  let elsewhere: { owner: Actor; channelId: number };

  beforeAll(async () => {
    const [room, other] = await Promise.all([classroom(2), classroom(0)]);
    ({ owner, workspaceId } = room);
    [removed, stays] = room.students as [Actor, Actor];
    channelId = await newChannel(owner, workspaceId);
    const added = await other.owner.client.post(`/api/workspaces/${other.workspaceId}/members`, {
      userId: removed.id,
    });
    expect(added.status).toBe(200);
    elsewhere = { owner: other.owner, channelId: await newChannel(other.owner, other.workspaceId) };
  });

  it('receives nothing more from its channels (an unsubscribed event at most)', async () => {
    const [gone, witness, ownerLive] = await Promise.all([
      subscribedTo(connectAs(removed.client), channelId, elsewhere.channelId),
      subscribedTo(connectAs(stays.client), channelId),
      subscribedTo(connectAs(owner.client), channelId),
    ]);
    await createdOn(await postMessage(owner, channelId, 'while a member'), gone, witness);

    const removal = await owner.client.request(
      'DELETE',
      `/api/workspaces/${workspaceId}/members/${removed.id}`,
    );
    expect(removal.status).toBe(200);
    const from = gone.received.length;

    // Every kind of channel event after the removal: created, typing, updated, deleted.
    const after = await postMessage(owner, channelId, 'after the removal');
    await createdOn(after, witness);
    ownerLive.send({ action: 'typing', channelId });
    await witness.nextOf('typing', channelId);
    expect((await stays.client.post(`/api/messages/${after.id}/read`, { channelId })).status).toBe(
      200,
    );
    await witness.nextOf('message.updated', channelId);
    const deleted = await owner.client.request(
      'DELETE',
      `/api/messages/${after.id}?channelId=${channelId}`,
    );
    expect(deleted.status).toBe(204);
    await witness.nextOf('message.deleted', channelId);

    await createdOn(await postMessage(elsewhere.owner, elsewhere.channelId, 'marker'), gone);
    const ofChannel = gone.received.slice(from).filter((e) => e.channelId === channelId);
    expect(ofChannel.filter((e) => e.type !== 'unsubscribed')).toEqual([]);
    // And it cannot subscribe again.
    expect(await gone.subscribe(channelId)).toMatchObject({
      type: 'error',
      action: 'subscribe',
      channelId,
      code: 'NOT_FOUND',
    });
  });
});

describe('a member removed from a workspace, still subscribed', () => {
  it('cannot type in its channels: an error, and nobody is told', async () => {
    const room = await classroom(2);
    const [leaver, member] = room.students as [Actor, Actor];
    const channelId = await newChannel(room.owner, room.workspaceId, 'typing');
    const [typist, witness] = await Promise.all([
      subscribedTo(connectAs(leaver.client), channelId),
      subscribedTo(connectAs(member.client), channelId),
    ]);
    const removal = await room.owner.client.request(
      'DELETE',
      `/api/workspaces/${room.workspaceId}/members/${leaver.id}`,
    );
    expect(removal.status).toBe(200);
    // No channel event since the removal: its subscription is still recorded.
    const answer = await typist.request({ action: 'typing', channelId }, (e) => e.type === 'error');
    expect(answer).toEqual({
      type: 'error',
      action: 'typing',
      channelId,
      code: 'NOT_FOUND',
      message: expect.any(String),
    });
    await createdOn(await postMessage(room.owner, channelId, 'marker'), witness);
    expect(witness.allOf('typing', channelId)).toEqual([]);
  });
});

describe('a session that ends', () => {
  let owner: Actor;
  let workspaceId: number;

  beforeAll(async () => {
    ({ owner, workspaceId } = await classroom(0));
    await warmFrameFunctions(await sockets.add(connectAs(owner.client)));
  });

  /** A student member of the workspace, able to log in again, and a channel to listen to. */
  async function member() {
    const student = await studentWithPassword();
    const added = await owner.client.post(`/api/workspaces/${workspaceId}/members`, {
      userId: student.id,
    });
    expect(added.status).toBe(200);
    return student;
  }

  it("closes every connection of the session on logout within 5 s; the user's other session keeps receiving", async () => {
    const channelId = await newChannel(owner, workspaceId, 'logout');
    const student = await member();
    const otherSession = await student.login();
    const [byCookie, byTicket, otherSessions, witness] = await Promise.all([
      subscribedTo(connectAs(student.client), channelId),
      subscribedTo(connect({ query: { ticket: await ticketOf(student.client) } }), channelId),
      subscribedTo(connectAs(otherSession), channelId),
      subscribedTo(connectAs(owner.client), channelId),
    ]);
    const before = await postMessage(owner, channelId, 'before logout');
    await createdOn(before, byCookie, byTicket, otherSessions, witness);
    const marks = [byCookie.received.length, byTicket.received.length];

    const closing = Promise.all([
      byCookie.closedWithin(SESSION_END_CLOSE_MS),
      byTicket.closedWithin(SESSION_END_CLOSE_MS),
    ]);
    expect((await student.client.post('/api/auth/logout')).status).toBe(204);
    await closing;

    const after = await postMessage(owner, channelId, 'after logout');
    await createdOn(after, otherSessions, witness);
    expect(byCookie.received.slice(marks[0])).toEqual([]);
    expect(byTicket.received.slice(marks[1])).toEqual([]);
    // The other session's connection goes on as before.
    await otherSessions.ping();
  });

  it('closes the connections of a session a new login replaces, within 5 s', async () => {
    const channelId = await newChannel(owner, workspaceId, 'relogin');
    const student = await member();
    const cookie = sessionCookieOf(student.client);
    const [old, witness] = await Promise.all([
      subscribedTo(connect({ cookie }), channelId),
      subscribedTo(connectAs(owner.client), channelId),
    ]);
    const from = old.received.length;
    const closing = old.closedWithin(SESSION_END_CLOSE_MS);
    // Logging in again from the same browser (its cookie sent along) ends the old session.
    await student.login(student.client);
    expect(sessionCookieOf(student.client)).not.toBe(cookie);
    await closing;
    const after = await postMessage(owner, channelId, 'after the new login');
    await createdOn(after, witness);
    expect(old.received.slice(from)).toEqual([]);
  });
});
