/**
 * lib/realtime/fan-out.ts with the real stores (DynamoDB subscriptions, MongoDB workspaces and
 * channels) and a local HTTP server in the place of API Gateway's Management API, which records
 * what each connection was sent and answers 410 Gone for the connections a test marks gone.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetConfig } from '../../lib/config';
import { closeDynamo } from '../../lib/db/dynamo';
import { closeMongo } from '../../lib/db/mongo';
import { createLogger, type LogFields } from '../../lib/logger';
import {
  type ConnectionRecord,
  findConnection,
  isSubscribed,
  openConnection,
  subscribe,
} from '../../lib/realtime/connections';
import { fanOut } from '../../lib/realtime/fan-out';
import type { FanOutJob } from '../../lib/realtime/publish';
import type { ChannelEvent } from '../../shared/realtime-schema';
import type { PublicUser } from '../../shared/schema';
import { useIsolatedEnv } from '../helpers/isolated-env';
import { createUser, storage } from '../helpers/storage';

/** What FAN_OUT_CONCURRENCY is set to in this file. */
const CONCURRENCY = 5;

/** The fake Management API: what it received, and which connections it answers 410 for. */
const api = {
  bodies: new Map<string, unknown[]>(),
  gone: new Set<string>(),
  /** Connections answered 400 (a send that fails without the connection being gone). */
  rejected: new Set<string>(),
  inFlight: 0,
  maxInFlight: 0,
  /** How long each answer is held back, so that concurrent sends overlap. */
  delayMs: 0,
};

function startManagementApi(): Promise<Server> {
  const server = createServer((request, response) => {
    const match = /^\/@connections\/([^/?]+)$/.exec(request.url ?? '');
    if (request.method !== 'POST' || !match) {
      response.writeHead(400).end();
      return;
    }
    const connectionId = decodeURIComponent(match[1] as string);
    api.inFlight += 1;
    api.maxInFlight = Math.max(api.maxInFlight, api.inFlight);
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      setTimeout(() => {
        api.inFlight -= 1;
        if (api.rejected.has(connectionId)) {
          response.writeHead(400, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ message: 'Invalid connection id' }));
          return;
        }
        if (api.gone.has(connectionId)) {
          response.writeHead(410, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ message: 'Gone' }));
          return;
        }
        const received = api.bodies.get(connectionId) ?? [];
        received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        api.bodies.set(connectionId, received);
        response.writeHead(200).end();
      }, api.delayMs);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

let server: Server;
let sequence = 0;
const logLines: LogFields[] = [];
const log = createLogger('warn', {}, (line) => logLines.push(JSON.parse(line) as LogFields));

/** A connection of `user`, opened and subscribed to `channelId`. */
async function subscribedConnection(user: PublicUser, channelId: number) {
  sequence += 1;
  const now = Date.now();
  const record: ConnectionRecord = {
    connectionId: `conn${sequence}${randomBytes(4).toString('hex')}`,
    userId: user.id,
    role: user.role,
    sessionId: `session-${user.id}`,
    connectedAt: now,
    expiresAt: now + 3_600_000,
  };
  await openConnection(record);
  expect(await subscribe(record, channelId)).toBe('subscribed');
  return record.connectionId;
}

/** A workspace of `owner` with `members`, and a text channel in it. */
async function workspaceChannel(owner: PublicUser, members: PublicUser[]) {
  const workspace = await storage.createWorkspace({
    name: `Fan-out ${sequence}`,
    ownerId: owner.id,
    members: members.map((m) => m.id),
  });
  const channel = await storage.createChannel({
    workspaceId: workspace.id,
    name: 'general',
    type: 'text',
  });
  return { workspaceId: workspace.id, channelId: channel.id };
}

const typingOf = (channelId: number, userId: number): ChannelEvent => ({
  type: 'typing',
  channelId,
  userId,
});

const deletedIn = (channelId: number): ChannelEvent => ({
  type: 'message.deleted',
  channelId,
  messageId: '1',
});

describe('real-time fan-out', () => {
  beforeAll(async () => {
    await useIsolatedEnv('realtime-fan-out', { cassandra: false });
    server = await startManagementApi();
    const { port } = server.address() as AddressInfo;
    process.env.WEBSOCKET_API_ENDPOINT = `http://127.0.0.1:${port}`;
    process.env.FAN_OUT_CONCURRENCY = String(CONCURRENCY);
    resetConfig();
  });
  afterAll(async () => {
    closeDynamo();
    await closeMongo();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    api.bodies.clear();
    api.gone.clear();
    api.rejected.clear();
    api.maxInFlight = 0;
    api.delayMs = 0;
    logLines.length = 0;
  });

  it("delivers the event to every subscriber of the channel, and only the channel's", async () => {
    const [owner, student] = await Promise.all([createUser({ role: 'teacher' }), createUser()]);
    const { channelId } = await workspaceChannel(owner, [student]);
    const other = await workspaceChannel(owner, [student]);
    const ownerConnection = await subscribedConnection(owner, channelId);
    const studentConnections = [
      await subscribedConnection(student, channelId),
      await subscribedConnection(student, channelId),
    ];
    const elsewhere = await subscribedConnection(student, other.channelId);

    const event = deletedIn(channelId);
    const report = await fanOut({ channelId, event }, log);

    expect(report).toEqual({ subscribers: 3, sent: 3, gone: 0, failed: 0, revoked: 0 });
    for (const id of [ownerConnection, ...studentConnections]) {
      expect(api.bodies.get(id)).toEqual([event]);
    }
    expect(api.bodies.has(elsewhere)).toBe(false);
    expect(logLines).toEqual([]);
  });

  it('a subscriber who is no longer a member gets only `unsubscribed`, and the subscription is dropped', async () => {
    const [owner, stays, leaves] = await Promise.all([
      createUser({ role: 'teacher' }),
      createUser(),
      createUser(),
    ]);
    const { workspaceId, channelId } = await workspaceChannel(owner, [stays, leaves]);
    const staying = await subscribedConnection(stays, channelId);
    const leaving = await subscribedConnection(leaves, channelId);
    await storage.removeMemberFromWorkspace(workspaceId, leaves.id);

    const event = typingOf(channelId, owner.id);
    const report = await fanOut({ channelId, event }, log);

    expect(report).toMatchObject({ subscribers: 2, sent: 1, revoked: 1, gone: 0, failed: 0 });
    expect(api.bodies.get(staying)).toEqual([event]);
    expect(api.bodies.get(leaving)).toEqual([{ type: 'unsubscribed', channelId }]);
    expect(await isSubscribed(leaving, channelId)).toBe(false);
    expect((await findConnection(leaving))?.channels).toEqual([]);
    expect(await isSubscribed(staying, channelId)).toBe(true);

    // The next event does not reach it at all.
    api.bodies.clear();
    await fanOut({ channelId, event }, log);
    expect(api.bodies.has(leaving)).toBe(false);
    expect(api.bodies.get(staying)).toEqual([event]);
  });

  it('forgets a connection the Management API answers 410 Gone for, with its subscriptions', async () => {
    const [owner, student] = await Promise.all([createUser({ role: 'teacher' }), createUser()]);
    const { channelId } = await workspaceChannel(owner, [student]);
    const second = await workspaceChannel(owner, [student]);
    const live = await subscribedConnection(owner, channelId);
    const dead = await subscribedConnection(student, channelId);
    const deadRecord = await findConnection(dead);
    expect(await subscribe(deadRecord as ConnectionRecord, second.channelId)).toBe('subscribed');
    api.gone.add(dead);

    const event = deletedIn(channelId);
    const report = await fanOut({ channelId, event }, log);

    expect(report).toEqual({ subscribers: 2, sent: 1, gone: 1, failed: 0, revoked: 0 });
    expect(api.bodies.get(live)).toEqual([event]);
    expect(api.bodies.has(dead)).toBe(false);
    expect(await findConnection(dead)).toBeUndefined();
    expect(await isSubscribed(dead, channelId)).toBe(false);
    expect(await isSubscribed(dead, second.channelId)).toBe(false);
    expect(await isSubscribed(live, channelId)).toBe(true);
  });

  it("sends nothing to exceptUserId's connections", async () => {
    const [owner, student] = await Promise.all([createUser({ role: 'teacher' }), createUser()]);
    const { channelId } = await workspaceChannel(owner, [student]);
    const typist = [
      await subscribedConnection(student, channelId),
      await subscribedConnection(student, channelId),
    ];
    const watcher = await subscribedConnection(owner, channelId);

    const job: FanOutJob = {
      channelId,
      event: typingOf(channelId, student.id),
      exceptUserId: student.id,
    };
    const report = await fanOut(job, log);

    expect(report).toMatchObject({ subscribers: 3, sent: 1, gone: 0, failed: 0, revoked: 0 });
    expect(api.bodies.get(watcher)).toEqual([job.event]);
    for (const id of typist) expect(api.bodies.has(id)).toBe(false);
  });

  it('forwards no typing of a user who may no longer read the channel', async () => {
    const owner = await createUser({ role: 'teacher' });
    const member = await createUser();
    const { channelId } = await workspaceChannel(owner, [member]);
    const watcher = await subscribedConnection(owner, channelId);
    const outsider = await createUser();

    const report = await fanOut(
      { channelId, event: typingOf(channelId, outsider.id), exceptUserId: outsider.id },
      log,
    );
    expect(report.sent).toBe(0);
    expect(api.bodies.has(watcher)).toBe(false);

    // The same frame from a member goes out: the rule, not the event, stopped the first.
    const heard = await fanOut(
      { channelId, event: typingOf(channelId, member.id), exceptUserId: member.id },
      log,
    );
    expect(heard.sent).toBe(1);
    expect(api.bodies.get(watcher)).toEqual([typingOf(channelId, member.id)]);
  });

  it(`keeps at most FAN_OUT_CONCURRENCY (${CONCURRENCY}) sends in flight`, async () => {
    const owner = await createUser({ role: 'teacher' });
    const students = await Promise.all(Array.from({ length: 40 }, () => createUser()));
    const { channelId } = await workspaceChannel(owner, students);
    const connections = await Promise.all(
      students.map((student) => subscribedConnection(student, channelId)),
    );
    // Held answers make the sends overlap as far as the fan-out lets them, whatever the speed.
    api.delayMs = 50;

    const event = typingOf(channelId, owner.id);
    const report = await fanOut({ channelId, event }, log);

    expect(report).toEqual({ subscribers: 40, sent: 40, gone: 0, failed: 0, revoked: 0 });
    for (const id of connections) expect(api.bodies.get(id)).toEqual([event]);
    expect(api.maxInFlight).toBeLessThanOrEqual(CONCURRENCY);
    expect(api.maxInFlight).toBeGreaterThan(1);
  });

  it('a send that fails otherwise is counted and logged; the others still go out', async () => {
    const [owner, student] = await Promise.all([createUser({ role: 'teacher' }), createUser()]);
    const { channelId } = await workspaceChannel(owner, [student]);
    const live = await subscribedConnection(owner, channelId);
    const bad = await subscribedConnection(student, channelId);
    const badRecord = await findConnection(bad);
    api.rejected.add(bad);

    const event = deletedIn(channelId);
    const report = await fanOut({ channelId, event }, log);

    expect(report).toEqual({ subscribers: 2, sent: 1, gone: 0, failed: 1, revoked: 0 });
    expect(api.bodies.get(live)).toEqual([event]);
    // Not gone: the connection is kept.
    expect(await findConnection(bad)).toEqual(badRecord);
    expect(logLines).toEqual([
      expect.objectContaining({ level: 'warn', message: 'real-time send failed' }),
    ]);
  });
});
