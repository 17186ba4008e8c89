/**
 * The live chat through serverless-offline's WebSocket API, with real sockets: connecting,
 * subscribing, and the events of the HTTP routes reaching the right connections.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actor, actor, teacherAccount } from '../helpers/actors';
import { connectAs, type LiveClient } from '../helpers/ws-client';

type Json = Record<string, unknown>;

let owner: Actor;
let student: Actor;
let workspaceId: number;
let channelId: number;
const open: LiveClient[] = [];

async function live(a: Actor): Promise<LiveClient> {
  const client = await connectAs(a.client);
  open.push(client);
  return client;
}

beforeAll(async () => {
  [owner, student] = await Promise.all([teacherAccount(), actor({ class: '7B' })]);
  const ws = await owner.client.post('/api/workspaces', { name: 'Live 7B' });
  workspaceId = (ws.body as Json).id as number;
  await owner.client.post(`/api/workspaces/${workspaceId}/members`, { userId: student.id });
  const ch = await owner.client.post(`/api/workspaces/${workspaceId}/channels`, {
    name: 'general',
    type: 'text',
  });
  channelId = (ch.body as Json).id as number;
});

afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
});

describe('message.created', () => {
  it('reaches a subscriber with the same JSON as the HTTP answer', async () => {
    const listener = await live(student);
    expect(await listener.subscribe(channelId)).toEqual({ type: 'subscribed', channelId });
    const sent = await owner.client.post('/api/messages', { channelId, content: 'hello class' });
    expect(sent.status).toBe(201);
    const event = await listener.nextOf('message.created', channelId);
    expect(event).toEqual({ type: 'message.created', channelId, message: sent.body });
  });
});
