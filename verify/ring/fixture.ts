/** The people and channels verify:ring's load acts in: one workspace, a teacher, some students. */
import { call, expectStatus, type Reply, sessionCookie } from './http';

export const TEACHER_CODE = 'ring-teacher-code';
const PASSWORD = 'correct horse battery';
const CHANNELS = 4;

/** A workspace member the load acts as. */
export interface Member {
  username: string;
  id: number;
  cookie: string;
}

export interface Fixture {
  /** The workspace's owner: a moderator, so it may pin. */
  teacher: Member;
  students: Member[];
  channelIds: number[];
}

/**
 * Sends a set-up request until it answers `status`, up to 4 times: on a busy machine a function's
 * first (cold) start can outlast its timeout in serverless-offline. Set-up is not measured; a
 * retried create at worst leaves an unused duplicate.
 */
async function settled(send: () => Promise<Reply>, status: number, what: string) {
  for (let attempt = 1; ; attempt += 1) {
    const reply = await send();
    if (reply.status === status || attempt === 4)
      return expectStatus(Promise.resolve(reply), status, what);
    console.log(`${what}: ${reply.status} on attempt ${attempt}, again`);
  }
}

async function register(base: string, username: string, extra: Record<string, unknown> = {}) {
  const reply = await settled(
    () =>
      call(base, 'POST', '/api/auth/register', {
        username,
        password: PASSWORD,
        name: username,
        email: `${username}@example.test`,
        ...extra,
      }),
    201,
    `register ${username}`,
  );
  return { username, cookie: sessionCookie(reply), id: (reply.body as { id: number }).id };
}

export const login = (base: string, username: string) =>
  call(base, 'POST', '/api/auth/login', { username, password: PASSWORD });

/** A teacher, `students` students, one workspace with all of them and a few text channels. */
export async function setUp(base: string, students: number): Promise<Fixture> {
  const tag = `r${Date.now().toString(36)}`;
  const teacher = await register(base, `${tag}t`, { role: 'teacher', teacherCode: TEACHER_CODE });
  const workspace = await settled(
    () => call(base, 'POST', '/api/workspaces', { name: `ring ${tag}` }, teacher.cookie),
    201,
    'create workspace',
  );
  const workspaceId = (workspace.body as { id: number }).id;
  const members: Member[] = [];
  while (members.length < students) {
    const student = await register(base, `${tag}s${members.length}`);
    await settled(
      () =>
        call(
          base,
          'POST',
          `/api/workspaces/${workspaceId}/members`,
          { userId: student.id },
          teacher.cookie,
        ),
      200,
      'add member',
    );
    members.push(student);
  }
  const channelIds: number[] = [];
  for (let i = 0; i < CHANNELS; i += 1) {
    const channel = await settled(
      () =>
        call(
          base,
          'POST',
          `/api/workspaces/${workspaceId}/channels`,
          { name: `ring-${i}`, type: 'text' },
          teacher.cookie,
        ),
      201,
      'create channel',
    );
    channelIds.push((channel.body as { id: number }).id);
  }
  return { teacher, students: members, channelIds };
}
