/**
 * Workspaces, channels, DMs and messages through serverless-offline, with the authorization matrix
 * of the HTTP API: every route that takes an id is also called by someone who may not, and that call
 * answers 403 or 404 and changes nothing (read back afterwards).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Client, newUser } from '../helpers/http-client';
import { startWorkers, WARM_WORKERS_TEST_TIMEOUT_MS } from '../helpers/workers';
import { E2E_TEACHER_CODE } from '../setup/offline';

interface Actor {
  client: Client;
  id: number;
}
type Json = Record<string, unknown>;

async function actor(role: 'student' | 'teacher', extra: Json = {}): Promise<Actor> {
  const client = new Client();
  const body = newUser({
    ...extra,
    ...(role === 'teacher' ? { role, teacherCode: E2E_TEACHER_CODE } : {}),
  });
  const reply = await client.post('/api/auth/register', body);
  expect(reply.status).toBe(201);
  return { client, id: (reply.body as { id: number }).id };
}

const del = (a: Actor, path: string) => a.client.request('DELETE', path);
const body = <T = Json>(reply: { body: unknown }) => reply.body as T;

let owner: Actor; // teacher, owns the workspace
let teacher: Actor; // teacher member
let student: Actor; // student member
let classmate: Actor; // another student member
let outsider: Actor; // a student in no workspace
let workspaceId: number;
let textChannel: number;
let announcements: number;

beforeAll(async () => {
  [owner, teacher, student, classmate, outsider] = await Promise.all([
    actor('teacher'),
    actor('teacher'),
    actor('student', { class: '7B' }),
    actor('student', { class: '7B' }),
    actor('student', { class: '9C' }),
  ]);
  const ws = await owner.client.post('/api/workspaces', {
    name: 'Year 7 science',
    description: 'all of 7B',
  });
  expect(ws.status).toBe(201);
  workspaceId = body<{ id: number }>(ws).id;
  for (const member of [teacher, student, classmate]) {
    expect(
      (await owner.client.post(`/api/workspaces/${workspaceId}/members`, { userId: member.id }))
        .status,
    ).toBe(200);
  }
  const text = await owner.client.post(`/api/workspaces/${workspaceId}/channels`, {
    name: 'Physics questions',
    class: '7B',
    subject: 'Physics',
  });
  expect(text.status).toBe(201);
  textChannel = body<{ id: number }>(text).id;
  const news = await teacher.client.post('/api/channels', {
    workspaceId,
    name: 'News',
    type: 'announcement',
  });
  expect(news.status).toBe(201);
  announcements = body<{ id: number }>(news).id;
});

describe('workspaces', () => {
  it('shows a workspace to its members only; the owner is the first member', async () => {
    const seen = await student.client.get(`/api/workspaces/${workspaceId}`);
    expect(seen.status).toBe(200);
    expect(body(seen)).toMatchObject({ ownerId: owner.id, name: 'Year 7 science' });
    expect(body<{ members: number[] }>(seen).members).toEqual([
      owner.id,
      teacher.id,
      student.id,
      classmate.id,
    ]);
    expect((await outsider.client.get(`/api/workspaces/${workspaceId}`)).status).toBe(404);
    expect(
      body<{ id: number }[]>(await outsider.client.get('/api/workspaces')).map((w) => w.id),
    ).not.toContain(workspaceId);
    expect(
      body<{ id: number }[]>(await student.client.get('/api/workspaces')).map((w) => w.id),
    ).toContain(workspaceId);
  });

  it('lets only the owner add members, and only existing users', async () => {
    expect(
      (await student.client.post(`/api/workspaces/${workspaceId}/members`, { userId: outsider.id }))
        .status,
    ).toBe(403);
    expect(
      (
        await outsider.client.post(`/api/workspaces/${workspaceId}/members`, {
          userId: outsider.id,
        })
      ).status,
    ).toBe(404);
    expect(
      (await owner.client.post(`/api/workspaces/${workspaceId}/members`, { userId: 999_999_999 }))
        .status,
    ).toBe(404);
    const members = body<{ members: number[] }>(
      await owner.client.get(`/api/workspaces/${workspaceId}`),
    ).members;
    expect(members).not.toContain(outsider.id);
  });

  it('lets a member leave, the owner remove others, and nobody remove the owner', async () => {
    const leaver = await actor('student');
    await owner.client.post(`/api/workspaces/${workspaceId}/members`, { userId: leaver.id });
    expect(
      (await del(student, `/api/workspaces/${workspaceId}/members/${classmate.id}`)).status,
    ).toBe(403);
    expect(
      (await del(outsider, `/api/workspaces/${workspaceId}/members/${leaver.id}`)).status,
    ).toBe(404);
    expect((await del(leaver, `/api/workspaces/${workspaceId}/members/${leaver.id}`)).status).toBe(
      200,
    );
    expect((await del(owner, `/api/workspaces/${workspaceId}/members/${owner.id}`)).status).toBe(
      409,
    );
    const members = body<{ members: number[] }>(
      await owner.client.get(`/api/workspaces/${workspaceId}`),
    ).members;
    expect(members).toEqual([owner.id, teacher.id, student.id, classmate.id]);
  });
});

describe('channels', () => {
  it('lets the owner and teacher members create channels, not students or outsiders', async () => {
    expect(
      (await student.client.post(`/api/workspaces/${workspaceId}/channels`, { name: 'x' })).status,
    ).toBe(403);
    expect((await student.client.post('/api/channels', { workspaceId, name: 'x' })).status).toBe(
      403,
    );
    expect(
      (await outsider.client.post(`/api/workspaces/${workspaceId}/channels`, { name: 'x' })).status,
    ).toBe(404);
    const list = await student.client.get(`/api/workspaces/${workspaceId}/channels`);
    expect(body<{ name: string }[]>(list).map((c) => c.name)).toEqual([
      'Physics questions',
      'News',
    ]);
    expect((await outsider.client.get(`/api/workspaces/${workspaceId}/channels`)).status).toBe(404);
  });

  it('searches only the caller’s workspaces, by class or name/subject, literally', async () => {
    const byClass = body<{ id: number }[]>(await student.client.get('/api/channels/query/7b'));
    expect(byClass.map((c) => c.id)).toContain(textChannel);
    const bySubject = body<{ id: number }[]>(await student.client.get('/api/channels/query/PHYS'));
    expect(bySubject.map((c) => c.id)).toEqual([textChannel]);
    expect(body(await outsider.client.get('/api/channels/query/Physics'))).toEqual([]);
    const regex = await student.client.get(`/api/channels/query/${encodeURIComponent('.*')}`);
    expect(regex.status).toBe(200);
    expect(body(regex)).toEqual([]);
  });
});

describe('direct messages', () => {
  it(
    'opens exactly one DM per pair, even under concurrent calls from both sides',
    async () => {
      const a = await actor('student');
      const b = await actor('student');
      // Warm workers first (opening a DM between two others), so the burst below races eight
      // requests, not eight cold starts on two cores.
      const [c, d] = await Promise.all([actor('student'), actor('student')]);
      const warm = await startWorkers(8, () => c.client.post('/api/channels/dm', { userId: d.id }));
      expect(warm.map((reply) => reply.status)).toEqual(Array(warm.length).fill(200));
      const replies = await Promise.all([
        ...Array.from({ length: 4 }, () => a.client.post('/api/channels/dm', { userId: b.id })),
        ...Array.from({ length: 4 }, () =>
          b.client.post('/api/channels/dm', { userIds: [a.id, b.id] }),
        ),
      ]);
      expect(replies.map((r) => r.status)).toEqual(Array(8).fill(200));
      const ids = new Set(replies.map((r) => body<{ id: number }>(r).id));
      expect(ids.size).toBe(1);
      expect(body(replies[0] as { body: unknown })).toMatchObject({
        type: 'dm',
        workspaceId: null,
        participants: [a.id, b.id].sort((x, y) => x - y),
      });
      const dms = body<{ id: number; partner: { id: number } }[]>(
        await a.client.get('/api/users/me/dms'),
      );
      expect(dms).toHaveLength(1);
      expect(dms[0]?.partner).toMatchObject({ id: b.id, role: 'student' });
      expect(JSON.stringify(dms)).not.toMatch(/password|scrypt|email/);
    },
    WARM_WORKERS_TEST_TIMEOUT_MS,
  );

  it('refuses DMs for someone else, with oneself, or with nobody', async () => {
    expect(
      (await student.client.post('/api/channels/dm', { userIds: [owner.id, outsider.id] })).status,
    ).toBe(400);
    expect((await student.client.post('/api/channels/dm', { userId: student.id })).status).toBe(
      400,
    );
    expect((await student.client.post('/api/channels/dm', { userId: 999_999_999 })).status).toBe(
      404,
    );
  });

  it('keeps a DM between its two participants', async () => {
    const dm = body<{ id: number }>(
      await student.client.post('/api/channels/dm', { userId: outsider.id }),
    );
    expect(
      (await outsider.client.post('/api/messages', { channelId: dm.id, content: 'hi' })).status,
    ).toBe(201);
    expect((await owner.client.get(`/api/channels/${dm.id}/messages`)).status).toBe(404);
    expect(
      (await owner.client.post('/api/messages', { channelId: dm.id, content: 'spy' })).status,
    ).toBe(404);
    expect(
      body<unknown[]>(await student.client.get(`/api/channels/${dm.id}/messages`)),
    ).toHaveLength(1);
  });
});

describe('messages', () => {
  async function post(a: Actor, channelId: number, content: string, extra: Json = {}) {
    const reply = await a.client.post('/api/messages', { channelId, content, ...extra });
    expect(reply.status).toBe(201);
    return body<{ id: string; authorId: number; createdAt: string }>(reply);
  }

  it('posts as the caller; announcements only by moderators; members only', async () => {
    const m = await post(student, textChannel, 'Why is the sky blue?');
    expect(m).toMatchObject({
      authorId: student.id,
      channelId: textChannel,
      isPinned: false,
      readBy: [],
    });
    expect(m.id).toMatch(/^[1-9][0-9]{9,18}$/);
    expect(new Date(m.createdAt).toISOString()).toBe(m.createdAt);
    expect(
      (await student.client.post('/api/messages', { channelId: announcements, content: 'x' }))
        .status,
    ).toBe(403);
    await post(teacher, announcements, 'Test on Friday');
    expect(
      (await outsider.client.post('/api/messages', { channelId: textChannel, content: 'x' }))
        .status,
    ).toBe(404);
    expect(
      (await student.client.post('/api/messages', { channelId: textChannel, content: '   ' }))
        .status,
    ).toBe(400);
    expect(
      (
        await student.client.post('/api/messages', {
          channelId: textChannel,
          content: 'x',
          authorId: 1,
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await student.client.post('/api/messages', {
          channelId: textChannel,
          content: 'x'.repeat(4_001),
        })
      ).status,
    ).toBe(400);
  });

  it('honours Idempotency-Key: a retry replays the first message; another body is 422', async () => {
    const channelId = body<{ id: number }>(
      await owner.client.post(`/api/workspaces/${workspaceId}/channels`, { name: 'Retries' }),
    ).id;
    const key = { 'idempotency-key': `send-${Date.now()}` };
    const first = await student.client.post('/api/messages', { channelId, content: 'once' }, key);
    const retry = await student.client.post('/api/messages', { content: 'once', channelId }, key);
    expect([first.status, retry.status]).toEqual([201, 201]);
    expect(body<{ id: string }>(retry).id).toBe(body<{ id: string }>(first).id);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(
      (await student.client.post('/api/messages', { channelId, content: 'twice?' }, key)).status,
    ).toBe(422);
    // Keys belong to their user: the same key from someone else is a new message.
    const other = await classmate.client.post('/api/messages', { channelId, content: 'once' }, key);
    expect(other.status).toBe(201);
    expect(body<{ id: string }>(other).id).not.toBe(body<{ id: string }>(first).id);
    // Concurrent retries: still one message.
    const burstKey = { 'idempotency-key': `burst-${Date.now()}` };
    const burst = await Promise.all(
      Array.from({ length: 6 }, () =>
        student.client.post('/api/messages', { channelId, content: 'burst' }, burstKey),
      ),
    );
    for (const reply of burst) expect([201, 409]).toContain(reply.status);
    const history = body<{ content: string }[]>(
      await student.client.get(`/api/channels/${channelId}/messages`),
    );
    expect(history.map((m) => m.content).sort()).toEqual(['burst', 'once', 'once']);
    expect(
      (
        await student.client.post(
          '/api/messages',
          { channelId, content: 'x' },
          { 'idempotency-key': 'has space' },
        )
      ).status,
    ).toBe(400);
  });

  it('pages history oldest to newest with exclusive cursors, on both routes', async () => {
    const channelId = body<{ id: number }>(
      await owner.client.post(`/api/workspaces/${workspaceId}/channels`, { name: 'History' }),
    ).id;
    const sent: string[] = [];
    for (let i = 0; i < 5; i += 1) sent.push((await post(student, channelId, `m${i}`)).id);
    const ids = (r: { body: unknown }) => body<{ id: string }[]>(r).map((m) => m.id);
    expect(ids(await classmate.client.get(`/api/channels/${channelId}/messages?limit=2`))).toEqual(
      sent.slice(3),
    );
    expect(
      ids(
        await classmate.client.get(`/api/channels/${channelId}/messages?limit=2&before=${sent[3]}`),
      ),
    ).toEqual(sent.slice(1, 3));
    expect(
      ids(await classmate.client.get(`/api/channels/${channelId}/messages?after=${sent[2]}`)),
    ).toEqual(sent.slice(3));
    expect(ids(await classmate.client.get(`/api/messages/${channelId}`))).toEqual(sent);
    for (const bad of [
      'limit=0',
      'limit=101',
      'limit=-5',
      'limit=abc',
      'before=abc',
      'after=1.5',
      'before=99999999999999999999',
      'page=2',
    ]) {
      expect(
        (await classmate.client.get(`/api/channels/${channelId}/messages?${bad}`)).status,
        bad,
      ).toBe(400);
    }
    expect((await outsider.client.get(`/api/channels/${channelId}/messages`)).status).toBe(404);
    expect((await outsider.client.get(`/api/messages/${channelId}`)).status).toBe(404);
  });

  it('deletes for the author and moderators only', async () => {
    const mine = await post(student, textChannel, 'delete me');
    const theirs = await post(classmate, textChannel, 'not yours');
    expect((await del(student, `/api/messages/${theirs.id}?channelId=${textChannel}`)).status).toBe(
      403,
    );
    expect(
      (await del(outsider, `/api/messages/${theirs.id}?channelId=${textChannel}`)).status,
    ).toBe(404);
    expect((await del(student, `/api/messages/${mine.id}`)).status).toBe(400);
    expect((await del(student, `/api/messages/${mine.id}?channelId=${textChannel}`)).status).toBe(
      204,
    );
    expect((await del(student, `/api/messages/${mine.id}?channelId=${textChannel}`)).status).toBe(
      404,
    );
    expect((await del(teacher, `/api/messages/${theirs.id}?channelId=${textChannel}`)).status).toBe(
      204,
    );
    const left = body<{ id: string }[]>(
      await student.client.get(`/api/channels/${textChannel}/messages?limit=100`),
    );
    expect(left.map((m) => m.id)).not.toContain(theirs.id);
  });

  it('pins and unpins for moderators, within the channel only', async () => {
    const m = await post(classmate, textChannel, 'pin me');
    const other = await post(teacher, announcements, 'elsewhere');
    expect((await student.client.post(`/api/channels/${textChannel}/pin/${m.id}`)).status).toBe(
      403,
    );
    expect((await outsider.client.post(`/api/channels/${textChannel}/pin/${m.id}`)).status).toBe(
      404,
    );
    expect((await owner.client.post(`/api/channels/${textChannel}/pin/${other.id}`)).status).toBe(
      404,
    );
    const pinned = await owner.client.post(`/api/channels/${textChannel}/pin/${m.id}`);
    expect(pinned.status).toBe(200);
    expect(body(pinned)).toMatchObject({ id: textChannel, pinnedMessages: [m.id] });
    const list = body<{ id: string; isPinned: boolean }[]>(
      await student.client.get(`/api/channels/${textChannel}/pinned`),
    );
    expect(list.map((x) => [x.id, x.isPinned])).toEqual([[m.id, true]]);
    expect((await outsider.client.get(`/api/channels/${textChannel}/pinned`)).status).toBe(404);
    expect(
      (await student.client.request('DELETE', `/api/channels/${textChannel}/pin/${m.id}`)).status,
    ).toBe(403);
    const unpinned = await teacher.client.request(
      'DELETE',
      `/api/channels/${textChannel}/pin/${m.id}`,
    );
    expect(body(unpinned)).toMatchObject({ pinnedMessages: [] });
  });

  it('grades homework only, by moderators only, and answers the real message', async () => {
    const homework = await post(student, textChannel, 'my essay', { isHomework: true });
    const chat = await post(student, textChannel, 'just chat');
    expect(
      (
        await classmate.client.post(`/api/messages/${homework.id}/grade`, {
          channelId: textChannel,
          status: 'graded',
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await outsider.client.post(`/api/messages/${homework.id}/grade`, {
          channelId: textChannel,
          status: 'graded',
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await owner.client.post(`/api/messages/${chat.id}/grade`, {
          channelId: textChannel,
          status: 'graded',
        })
      ).status,
    ).toBe(409);
    const graded = await owner.client.post(`/api/messages/${homework.id}/grade`, {
      channelId: textChannel,
      status: 'graded',
    });
    expect(graded.status).toBe(200);
    expect(body(graded)).toMatchObject({
      id: homework.id,
      content: 'my essay',
      authorId: student.id,
      gradingStatus: 'graded',
    });
  });

  it('marks read idempotently for members, and counts unread messages by others', async () => {
    const channelId = body<{ id: number }>(
      await owner.client.post(`/api/workspaces/${workspaceId}/channels`, { name: 'Reading' }),
    ).id;
    const a = await post(student, channelId, 'one');
    const two = await post(student, channelId, 'two');
    await post(classmate, channelId, 'mine');
    expect(body(await classmate.client.get(`/api/channels/${channelId}/unread`))).toEqual({
      unreadCount: 2,
    });
    const read = await classmate.client.post(`/api/messages/${a.id}/read`, { channelId });
    expect(body<{ readBy: number[] }>(read).readBy).toEqual([classmate.id]);
    expect(
      body<{ readBy: number[] }>(
        await classmate.client.post(`/api/messages/${a.id}/read`, { channelId }),
      ).readBy,
    ).toEqual([classmate.id]);
    expect(body(await classmate.client.get(`/api/channels/${channelId}/unread`))).toEqual({
      unreadCount: 1,
    });
    expect((await outsider.client.post(`/api/messages/${a.id}/read`, { channelId })).status).toBe(
      404,
    );
    expect((await outsider.client.get(`/api/channels/${channelId}/unread`)).status).toBe(404);
    expect((await classmate.client.post('/api/messages/12345/read', { channelId })).status).toBe(
      404,
    );
    // Marking a message read reads that one only: 'two' and 'three' stay unread after 'four'.
    const three = await post(student, channelId, 'three');
    const four = await post(student, channelId, 'four');
    const five = await post(student, channelId, 'five');
    const readFour = await classmate.client.post(`/api/messages/${four.id}/read`, { channelId });
    expect(body<{ readBy: number[] }>(readFour).readBy).toEqual([classmate.id]);
    const unread = async () =>
      body(await classmate.client.get(`/api/channels/${channelId}/unread`));
    expect(await unread()).toEqual({ unreadCount: 3 });
    // The gap marked later counts down message by message.
    expect(
      (await classmate.client.post(`/api/messages/${two.id}/read`, { channelId })).status,
    ).toBe(200);
    expect(await unread()).toEqual({ unreadCount: 2 });
    await classmate.client.post(`/api/messages/${three.id}/read`, { channelId });
    await classmate.client.post(`/api/messages/${five.id}/read`, { channelId });
    expect(await unread()).toEqual({ unreadCount: 0 });
    // Another member's reading is theirs alone.
    expect(body(await student.client.get(`/api/channels/${channelId}/unread`))).toEqual({
      unreadCount: 1,
    });
  });
});
