/**
 * Opening a live-chat connection: the `sid` cookie or a single-use ticket, and nothing else. A
 * refused handshake is 401 and leaves no connection record behind. (An expired ticket is tested
 * in tests/integration/realtime-tickets.test.ts: its 60 s lifetime is not waited out here.)
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TICKET_TTL_SECONDS } from '../../shared/realtime-schema';
import type { Actor } from '../helpers/actors';
import { Client } from '../helpers/http-client';
import { classroom, newChannel, studentWithPassword } from '../helpers/live-chat';
import { connectionsOfSession } from '../helpers/realtime-tables';
import {
  connect,
  connectAs,
  type LiveClient,
  LiveClients,
  refusalOf,
  requestTicket,
  sessionCookieOf,
  ticketOf,
  warmFrameFunctions,
} from '../helpers/ws-client';

const sockets = new LiveClients();
let student: Actor;
let outsider: Actor;
/** A channel `student` may read and `outsider` may not. */
let channelId: number;

beforeAll(async () => {
  const room = await classroom(1);
  student = room.students[0] as Actor;
  channelId = await newChannel(room.owner, room.workspaceId);
  outsider = (await classroom(1)).students[0] as Actor;
  await warmFrameFunctions(await sockets.add(connectAs(student.client)));
});

afterAll(sockets.closeAll);

/** The connection works: it answers a ping and subscribes as `student`, not as someone else. */
async function expectConnectedAsStudent(live: LiveClient): Promise<void> {
  await live.ping();
  expect(await live.subscribe(channelId)).toEqual({ type: 'subscribed', channelId });
}

/** A random ticket-shaped string that was never issued. */
const forgedTicket = () => randomBytes(32).toString('base64url');

describe('POST /api/realtime/ticket', () => {
  it('answers 201 {ticket, expiresAt}, expiresAt an ISO date at most 60 s ahead', async () => {
    const before = Date.now();
    const reply = await requestTicket(student.client);
    const after = Date.now();
    expect(reply.status).toBe(201);
    const body = reply.body as { ticket: string; expiresAt: string };
    expect(Object.keys(body).sort()).toEqual(['expiresAt', 'ticket']);
    expect(body.ticket).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(new Date(body.expiresAt).toISOString()).toBe(body.expiresAt);
    const expiresAt = Date.parse(body.expiresAt);
    expect(expiresAt).toBeGreaterThan(before);
    expect(expiresAt).toBeLessThanOrEqual(after + TICKET_TTL_SECONDS * 1000);
  });

  it('issues a different ticket every time', async () => {
    const tickets = await Promise.all([ticketOf(student.client), ticketOf(student.client)]);
    expect(new Set(tickets).size).toBe(2);
  });

  it('is 401 without a session, and with a forged cookie', async () => {
    expect((await requestTicket(new Client())).status).toBe(401);
    const forged = new Client();
    forged.jar.set('sid', forgedTicket());
    expect((await requestTicket(forged)).status).toBe(401);
  });
});

describe('connecting with the session cookie', () => {
  it('is accepted, as the session user', async () => {
    await expectConnectedAsStudent(await sockets.add(connectAs(student.client)));
  });

  it('is 401 without any credential and with a forged or empty cookie', async () => {
    expect(await refusalOf()).toBe(401);
    expect(await refusalOf({ cookie: `sid=${forgedTicket()}` })).toBe(401);
    expect(await refusalOf({ cookie: 'sid=' })).toBe(401);
  });
});

describe('connecting with a ticket', () => {
  it('is accepted without a cookie, as the session user', async () => {
    const ticket = await ticketOf(student.client);
    await expectConnectedAsStudent(await sockets.add(connect({ query: { ticket } })));
  });

  it("connects as the ticket's user, never the cookie's", async () => {
    // The outsider's ticket with the student's cookie: the connection is the outsider's.
    const ticket = await ticketOf(outsider.client);
    const live = await sockets.add(
      connect({ cookie: sessionCookieOf(student.client), query: { ticket } }),
    );
    expect(await live.subscribe(channelId)).toMatchObject({
      type: 'error',
      code: 'NOT_FOUND',
      channelId,
    });
  });

  it('is 401 for a forged or malformed ticket, and no connection is kept', async () => {
    const keptBefore = await connectionsOfSession(student.client);
    expect(await refusalOf({ query: { ticket: forgedTicket() } })).toBe(401);
    expect(await refusalOf({ query: { ticket: 'not-a-ticket' } })).toBe(401);
    expect(await refusalOf({ query: { ticket: '' } })).toBe(401);
    expect(await connectionsOfSession(student.client)).toEqual(keptBefore);
  });

  it('opens one connection only: a second use is 401', async () => {
    const ticket = await ticketOf(student.client);
    await expectConnectedAsStudent(await sockets.add(connect({ query: { ticket } })));
    expect(await refusalOf({ query: { ticket } })).toBe(401);
  });

  it('opens one connection only when two connects race with it', async () => {
    const ticket = await ticketOf(student.client);
    const attempts = await Promise.allSettled([
      connect({ query: { ticket } }),
      connect({ query: { ticket } }),
    ]);
    const opened = attempts.flatMap((a) => (a.status === 'fulfilled' ? [a.value] : []));
    for (const live of opened) await sockets.add(live);
    expect(opened).toHaveLength(1);
    const refused = attempts.find((a) => a.status === 'rejected');
    expect((refused as PromiseRejectedResult).reason).toMatchObject({ status: 401 });
  });

  it('is 401 for a used or forged ticket even with a valid cookie, keeping nothing', async () => {
    const used = await ticketOf(student.client);
    await sockets.add(connect({ query: { ticket: used } }));
    const keptBefore = await connectionsOfSession(student.client);
    const cookie = sessionCookieOf(student.client);
    expect(await refusalOf({ cookie, query: { ticket: used } })).toBe(401);
    expect(await refusalOf({ cookie, query: { ticket: forgedTicket() } })).toBe(401);
    expect(await connectionsOfSession(student.client)).toEqual(keptBefore);
    // The cookie alone still connects: the ticket was the reason for the refusal.
    await expectConnectedAsStudent(await sockets.add(connect({ cookie })));
  });
});

describe('after logout', () => {
  it("refuses the session's unused ticket and its cookie with 401, keeping nothing", async () => {
    const user = await studentWithPassword();
    const cookie = sessionCookieOf(user.client);
    const sid = user.client.jar.get('sid') as string;
    const unused = await ticketOf(user.client);
    // Proves the ticket worked before the logout (a sibling ticket of the same session).
    await (await connect({ query: { ticket: await ticketOf(user.client) } })).close();

    expect((await user.client.post('/api/auth/logout')).status).toBe(204);
    expect(await refusalOf({ query: { ticket: unused } })).toBe(401);
    expect(await refusalOf({ cookie })).toBe(401);
    // Looked up by the old session, as the server would: no record of either attempt.
    const loggedOut = new Client();
    loggedOut.jar.set('sid', sid);
    expect(await connectionsOfSession(loggedOut)).toEqual([]);
  });

  it("leaves the user's other session able to connect", async () => {
    const user = await studentWithPassword();
    const other = await user.login();
    expect((await user.client.post('/api/auth/logout')).status).toBe(204);
    const live = await sockets.add(connectAs(other));
    await live.ping();
    const byTicket = await sockets.add(connect({ query: { ticket: await ticketOf(other) } }));
    await byTicket.ping();
  });
});
