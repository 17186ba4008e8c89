/**
 * A class to put load on, set up over HTTP: a teacher who owns one workspace, students who are
 * its members, and a few text channels. Shared by the verification items that drive the API.
 */
import { type Call, expectStatus, type Reply, sessionCookie } from './api-calls';

/** A registered user the load acts as. */
export interface Member {
  username: string;
  id: number;
  cookie: string;
}

export interface ClassFixture {
  /** The workspace's owner: a moderator, so it may pin. */
  teacher: Member;
  students: Member[];
  workspaceId: number;
  channelIds: number[];
}

export interface ClassSpec {
  call: Call;
  base: string;
  /** Prefixes usernames, the workspace's and channels' names: unique per run. */
  tag: string;
  password: string;
  teacherCode: string;
  students: number;
  channels: number;
  /**
   * Times each request is sent until it answers as expected (default 1). On a busy machine a
   * function's first (cold) start can outlast its timeout in serverless-offline; set-up is not
   * measured, and a retried create at worst leaves an unused duplicate.
   */
  attempts?: number;
}

/** The set-up calls of one run, with its retry rule. */
export function classCalls(spec: ClassSpec) {
  const { call, base, password } = spec;
  const attempts = spec.attempts ?? 1;

  async function expecting(send: () => Promise<Reply>, status: number, what: string) {
    for (let attempt = 1; ; attempt += 1) {
      const reply = await send();
      if (reply.status === status || attempt >= attempts)
        return expectStatus(Promise.resolve(reply), status, what);
      console.log(`${what}: ${reply.status} on attempt ${attempt}, again`);
    }
  }

  async function register(username: string, extra: Record<string, unknown> = {}): Promise<Member> {
    const reply = await expecting(
      () =>
        call(base, 'POST', '/api/auth/register', {
          username,
          password,
          name: username,
          email: `${username}@example.test`,
          ...extra,
        }),
      201,
      `register ${username}`,
    );
    return { username, cookie: sessionCookie(reply), id: (reply.body as { id: number }).id };
  }

  /** Posts `body` as `cookie`'s user and returns the created thing's id. */
  async function create(path: string, body: unknown, cookie: string, what: string) {
    const reply = await expecting(() => call(base, 'POST', path, body, cookie), 201, what);
    return (reply.body as { id: number }).id;
  }

  return { expecting, register, create };
}

/** Registers the teacher and students, then creates the workspace and its channels. */
export async function setUpClass(spec: ClassSpec): Promise<ClassFixture> {
  const { call, base, tag } = spec;
  const { expecting, register, create } = classCalls(spec);
  const teacher = await register(`${tag}t`, { role: 'teacher', teacherCode: spec.teacherCode });
  const workspaceId = await create(
    '/api/workspaces',
    { name: `class ${tag}` },
    teacher.cookie,
    'create workspace',
  );
  const students: Member[] = [];
  while (students.length < spec.students) {
    const student = await register(`${tag}s${students.length}`);
    await expecting(
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
    students.push(student);
  }
  const channelIds: number[] = [];
  for (let i = 0; i < spec.channels; i += 1) {
    const name = `${tag}-${i}`;
    channelIds.push(
      await create(
        `/api/workspaces/${workspaceId}/channels`,
        { name, type: 'text' },
        teacher.cookie,
        'create channel',
      ),
    );
  }
  return { teacher, students, workspaceId, channelIds };
}
