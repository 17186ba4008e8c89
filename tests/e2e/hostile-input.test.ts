/**
 * Hostile input through serverless-offline (also run by npm run verify:hostile):
 * oversized and deeply nested bodies, NoSQL operator objects where ids and strings belong, bad
 * limits and cursors, unicode and NUL, control characters in every path parameter of every route,
 * forged and truncated session cookies. Each answers a clear
 * 4xx (or, for text, stores it exactly) and each case reads the state back to show nothing changed.
 * Bad-id spellings in paths and the basic cookie cases are in tests-and-attempts and auth.
 */
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { serverlessRoutes } from '../../scripts/openapi-document';
import { type Actor, actor, teacherAccount } from '../helpers/actors';
import { Client, type Reply } from '../helpers/http-client';

type Json = Record<string, unknown>;
interface Message {
  id: string;
  content: string;
}

let owner: Actor; // teacher, owns the workspace
let student: Actor; // student member
let workspaceId: number;
let channelId: number;
let messageId: string;
let testId: number;

const history = async (): Promise<Message[]> => {
  const reply = await owner.client.get(`/api/channels/${channelId}/messages?limit=100`);
  expect(reply.status).toBe(200);
  return reply.body as Message[];
};
const members = async (): Promise<number[]> =>
  ((await owner.client.get(`/api/workspaces/${workspaceId}`)).body as { members: number[] })
    .members;
const errorCode = (reply: Reply) => (reply.body as { code?: string }).code;

beforeAll(async () => {
  [owner, student] = await Promise.all([teacherAccount(), actor({ class: '7B' })]);
  const ws = await owner.client.post('/api/workspaces', { name: 'Hostile' });
  workspaceId = (ws.body as { id: number }).id;
  await owner.client.post(`/api/workspaces/${workspaceId}/members`, { userId: student.id });
  const channel = await owner.client.post(`/api/workspaces/${workspaceId}/channels`, {
    name: 'general',
  });
  channelId = (channel.body as { id: number }).id;
  const sent = await student.client.post('/api/messages', { channelId, content: 'first' });
  expect(sent.status).toBe(201);
  messageId = (sent.body as Message).id;
  const test = await owner.client.post('/api/tests', {
    title: 'Hostile',
    subject: 'Maths',
    class: '7B',
    testDate: '2030-01-01',
    status: 'published',
  });
  expect(test.status).toBe(201);
  testId = (test.body as { id: number }).id;
});

describe('body size', () => {
  // 1 MB reaches the function and passes API Gateway's 10 MB (serverless-offline applies the
  // same): our limit (HTTP_MAX_BODY_BYTES, 100 KB by default) answers. 20 MB never reaches it.
  it.each([
    ['1 MB', 1024 * 1024, 'PAYLOAD_TOO_LARGE'],
    ['20 MB', 20 * 1024 * 1024, undefined],
  ])('refuses a %s body with 413 and stores nothing', async (_label, bytes, code) => {
    const before = await history();
    const content = 'x'.repeat(bytes);
    const reply = await student.client.post('/api/messages', { channelId, content });
    expect(reply.status).toBe(413);
    if (code) expect(errorCode(reply)).toBe(code);
    expect(await history()).toEqual(before);
  });
});

describe('deep JSON nesting', () => {
  const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

  it.each([10_000, 45_000])(
    'refuses %i levels in a field with 400, storing nothing',
    async (depth) => {
      const before = await history();
      const body = `{"channelId":${channelId},"content":${nested(depth)}}`;
      const reply = await student.client.post('/api/messages', body);
      expect(reply.status).toBe(400);
      expect(errorCode(reply)).toBe('BAD_REQUEST');
      expect(await history()).toEqual(before);
    },
  );

  it('refuses 100,000 levels (over the body limit) with 413, and a nested login with 400', async () => {
    const objects = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    expect((await student.client.post('/api/messages', nested(100_000))).status).toBe(413);
    const login = await new Client().post('/api/auth/login', `{"username":${objects(10_000)}}`);
    expect(login.status).toBe(400);
    expect(login.setCookies).toEqual([]);
  });
});

describe('NoSQL operator objects where ids and strings belong', () => {
  const OPERATORS: unknown[] = [{ $gt: '' }, { $ne: null }, { $where: 'sleep(1000) || true' }];

  it.each(OPERATORS)('login refuses %j as username or password (400, no session)', async (op) => {
    const client = new Client();
    const me = (await owner.client.get('/api/users/me')).body as { username: string };
    for (const body of [
      { username: op, password: 'whatever1' },
      { username: me.username, password: op },
      { username: op, password: op },
    ]) {
      const reply = await client.post('/api/auth/login', body);
      expect(reply.status, JSON.stringify(body)).toBe(400);
      expect(reply.setCookies).toEqual([]);
    }
    expect((await client.get('/api/users/me')).status).toBe(401);
  });

  it.each(OPERATORS)('every id and text field of the write routes refuses %j (400)', async (op) => {
    const before = { messages: await history(), members: await members() };
    const calls: [string, Json][] = [
      ['/api/messages', { channelId: op, content: 'x' }],
      ['/api/messages', { channelId, content: op }],
      ['/api/messages', { channelId, content: 'x', type: op }],
      [`/api/messages/${messageId}/read`, { channelId: op }],
      [`/api/messages/${messageId}/grade`, { channelId: op, status: 'graded' }],
      [`/api/workspaces/${workspaceId}/members`, { userId: op }],
      [`/api/workspaces/${workspaceId}/channels`, { name: op }],
      ['/api/channels', { workspaceId: op, name: 'x' }],
      ['/api/channels/dm', { userId: op }],
      ['/api/channels/dm', { userIds: [owner.id, op] }],
      ['/api/workspaces', { name: op }],
      ['/api/tests', { title: op, subject: 'x', class: '7B', testDate: '2030-01-01' }],
      ['/api/questions', { testId: op, type: 'short', text: 'x', order: 1 }],
      ['/api/questions', { testId, type: 'short', text: op, order: 1 }],
      ['/api/test-attempts', { testId: op }],
      ['/api/answers', { attemptId: op, questionId: 1 }],
      [`/api/tests/${testId}/assignments`, { class: op, dueDate: '2030-01-01' }],
      [`/api/tests/${testId}/assignments`, { studentIds: [op], dueDate: '2030-01-01' }],
      ['/api/auth/register', { username: op, password: 'x'.repeat(8), name: 'x', email: 'a@b.cd' }],
    ];
    for (const [path, body] of calls) {
      const reply = await owner.client.post(path, body);
      expect(reply.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(errorCode(reply)).toBe('BAD_REQUEST');
    }
    expect({ messages: await history(), members: await members() }).toEqual(before);
    expect((await owner.client.get('/api/workspaces')).body).toHaveLength(1);
  });

  it('refuses operators spelled into paths and query strings with 400', async () => {
    const op = encodeURIComponent('{"$gt":""}');
    for (const path of [
      `/api/tests/${op}`,
      `/api/workspaces/${op}`,
      `/api/channels/${op}/messages`,
      `/api/messages/${op}/read`,
      `/api/channels/${channelId}/messages?before=${op}`,
      '/api/tests?status[$ne]=draft',
      `/api/assignments?testId[$gt]=0`,
      `/api/messages/${messageId}?channelId[$ne]=1`,
    ]) {
      const method = path.includes('/read') ? 'POST' : 'GET';
      const reply = await owner.client.request(method, path, method === 'POST' ? {} : undefined);
      expect(reply.status, path).toBe(400);
    }
    const deleted = await owner.client.request(
      'DELETE',
      `/api/messages/${messageId}?channelId[$ne]=1`,
    );
    expect(deleted.status).toBe(400);
    expect((await history()).map((m) => m.id)).toContain(messageId);
  });

  it('matches channel search text literally: operators and regex syntax find nothing', async () => {
    for (const q of ['{"$gt":""}', '.*', '^', '[', '$where']) {
      const reply = await owner.client.get(`/api/channels/query/${encodeURIComponent(q)}`);
      expect(reply.status, q).toBe(200);
      expect(reply.body, q).toEqual([]);
    }
  });
});

describe('limits and cursors', () => {
  it.each([
    'limit=-1',
    'limit=NaN',
    'limit=1.5',
    'limit=1e2',
    'limit=Infinity',
    'limit=',
    'limit=%2B5',
    'limit=99999999999999999999999',
    'limit=5&limit=6',
    'before=-1',
    'before=NaN',
    'before=1.5',
    'before=',
    'after=9223372036854775808',
    'after=1e3',
    'after=0x10',
    'after=%201',
  ])('refuses %s with 400', async (query) => {
    const reply = await student.client.get(`/api/channels/${channelId}/messages?${query}`);
    expect(reply.status).toBe(400);
    expect(errorCode(reply)).toBe('BAD_REQUEST');
  });

  it('accepts the extremes of the range', async () => {
    const ok = ['limit=1', 'limit=100', 'before=9223372036854775807', 'after=0'];
    for (const query of ok) {
      const reply = await student.client.get(`/api/channels/${channelId}/messages?${query}`);
      expect(reply.status, query).toBe(200);
    }
  });
});

describe('unicode and NUL in text', () => {
  const TEXTS = [
    'emoji 👩🏽‍🏫📚 ✔️ 🇮🇳',
    'RTL ‏مرحبا بالعالم‎ and עברית',
    'combining é (e + U+0301) vs é, Z̷̢a̸l̵g̶o',
    'NUL inside a\u0000b',
    'zero width \u200b\u200d and BOM \ufeff',
    'lone high surrogate? no: astral 𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  ];

  it.each(TEXTS)('stores message content %j exactly and reads it back', async (content) => {
    const sent = await student.client.post('/api/messages', { channelId, content });
    expect(sent.status).toBe(201);
    expect((sent.body as Message).content).toBe(content);
    const stored = (await history()).find((m) => m.id === (sent.body as Message).id);
    expect(stored?.content).toBe(content);
  });

  it('keeps names with unicode exactly, and refuses usernames outside [A-Za-z0-9_.-]', async () => {
    const name = 'Ünïcödé 👩🏽‍🏫 مرحبا';
    const ws = await owner.client.post('/api/workspaces', { name });
    expect(ws.status).toBe(201);
    const id = (ws.body as { id: number }).id;
    expect(((await owner.client.get(`/api/workspaces/${id}`)).body as { name: string }).name).toBe(
      name,
    );
    for (const username of ['emoji👩🏽', 'nul\u0000user', 'rtl‏name']) {
      const reply = await new Client().post('/api/auth/register', {
        username,
        password: 'correct horse battery',
        name: 'x',
        email: `${randomBytes(4).toString('hex')}@example.test`,
      });
      expect(reply.status, JSON.stringify(username)).toBe(400);
      expect(reply.setCookies).toEqual([]);
    }
  });
});

describe('control characters in path parameters', () => {
  // Every parameter of every route of serverless.yml, so a route added later is covered too.
  const cases = serverlessRoutes().flatMap(({ method, path }) =>
    [...path.matchAll(/\{(\w+)\}/g)].map(([, param]) => ({ method, path, param: param as string })),
  );
  const BAD = ['%00', 'a%00b', '1%00', '%01', 'x%1Fy', '%7F', '%0A'];

  it('covers the routes with path parameters', () => {
    expect(cases.length).toBeGreaterThan(20);
  });

  it.each(cases)(
    '$method $path refuses control characters in {$param} with 400',
    async ({ method, path, param }) => {
      const before = await history();
      for (const bad of BAD) {
        // The other parameters get valid values, so the bad one is the only reason to refuse.
        const url = path.replace(/\{(\w+)\}/g, (_, name: string) =>
          name === param ? bad : name === 'messageId' ? messageId : String(channelId),
        );
        const body = method === 'get' || method === 'delete' ? undefined : {};
        const reply = await owner.client.request(method.toUpperCase(), url, body);
        expect(reply.status, `${method} ${url}`).toBe(400);
        expect(errorCode(reply)).toBe('BAD_REQUEST');
        const paths = ((reply.body as { errors?: { path: string }[] }).errors ?? []).map(
          (e) => e.path,
        );
        expect(paths, `${method} ${url}`).toContain(`path.${param}`);
      }
      expect(await history()).toEqual(before);
    },
  );
});

describe('forged and truncated session cookies', () => {
  it('refuses a well-formed forged token and a truncated real one with 401, on reads and writes', async () => {
    const before = await history();
    const token = owner.client.jar.get('sid') as string;
    for (const sid of [randomBytes(32).toString('base64url'), token.slice(0, -3)]) {
      const client = new Client();
      client.jar.set('sid', sid);
      expect((await client.get(`/api/channels/${channelId}/messages`)).status).toBe(401);
      const write = await client.post('/api/messages', { channelId, content: 'forged' });
      expect(write.status).toBe(401);
      expect(errorCode(write)).toBe('UNAUTHORIZED');
    }
    expect(await history()).toEqual(before);
  });
});
