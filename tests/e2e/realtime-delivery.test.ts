/**
 * Delivery at scale and past failures: every connection of a user receives, and a connection that
 * vanished never breaks sending: POST /messages still answers 201, the other subscribers still
 * receive, and the gone connection is forgotten at the first send that finds it gone (410).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../helpers/actors';
import { classroom, type Json, newChannel, postMessage } from '../helpers/live-chat';
import {
  eventually,
  isConnectionRecorded,
  isSubscriptionRecorded,
  plantVanishedSubscriber,
  removePlanted,
} from '../helpers/realtime-tables';
import {
  connectAs,
  createdOn,
  type LiveClient,
  LiveClients,
  subscribeAll,
} from '../helpers/ws-client';

const sockets = new LiveClients();
let owner: Actor;
let student: Actor;
let workspaceId: number;

beforeAll(async () => {
  const room = await classroom(1);
  ({ owner, workspaceId } = room);
  student = room.students[0] as Actor;
});

afterAll(sockets.closeAll);

async function subscribed(who: Actor, channelId: number): Promise<LiveClient> {
  return subscribeAll(await sockets.add(connectAs(who.client)), channelId);
}

describe('many connections of one user', () => {
  it('all 20 receive one message', async () => {
    const channelId = await newChannel(owner, workspaceId, 'twenty');
    const connections: LiveClient[] = [];
    // A few at a time: each concurrent upgrade can start one more Lambda worker.
    for (let batch = 0; batch < 4; batch += 1) {
      connections.push(
        ...(await Promise.all(Array.from({ length: 5 }, () => subscribed(student, channelId)))),
      );
    }
    const reply = await owner.client.post('/api/messages', { channelId, content: 'to all 20' });
    expect(reply.status).toBe(201);
    const received = await createdOn(reply.body as Json, ...connections);
    expect(received).toHaveLength(20);
    for (const event of received) {
      expect(event).toEqual({ type: 'message.created', channelId, message: reply.body });
    }
  }, 120_000);
});

describe('a connection that vanished', () => {
  it('dropped without a close handshake, does not break sending', async () => {
    const channelId = await newChannel(owner, workspaceId, 'vanished');
    const [vanishing, witness] = await Promise.all([
      subscribed(student, channelId),
      subscribed(owner, channelId),
    ]);
    vanishing.terminate();
    // At once, before its $disconnect has run: the send to it finds it gone (or not yet).
    const first = await postMessage(owner, channelId, 'right after it vanished');
    await createdOn(first, witness);
    const second = await postMessage(student, channelId, 'and again');
    await createdOn(second, witness);
  });

  it('is forgotten at the first failed send, and the others receive', async () => {
    const channelId = await newChannel(owner, workspaceId, 'gone');
    const witness = await subscribed(owner, channelId);
    const gone = await plantVanishedSubscriber(channelId, student.id, { withConnection: true });
    try {
      const sent = await postMessage(owner, channelId, 'to the living');
      await createdOn(sent, witness);
      expect(await eventually(async () => !(await isSubscriptionRecorded(channelId, gone)))).toBe(
        true,
      );
      expect(await isConnectionRecorded(gone)).toBe(false);
      // Sending goes on as before.
      await createdOn(await postMessage(student, channelId, 'still fine'), witness);
    } finally {
      await removePlanted(channelId, gone);
    }
  });

  it('left only as a subscription (a subscribe that raced its disconnect), is forgotten too', async () => {
    const channelId = await newChannel(owner, workspaceId, 'orphan');
    const witness = await subscribed(owner, channelId);
    const gone = await plantVanishedSubscriber(channelId, student.id, { withConnection: false });
    try {
      const sent = await postMessage(owner, channelId, 'to the living');
      await createdOn(sent, witness);
      expect(await eventually(async () => !(await isSubscriptionRecorded(channelId, gone)))).toBe(
        true,
      );
    } finally {
      await removePlanted(channelId, gone);
    }
  });
});
