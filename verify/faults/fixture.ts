/** The people and channels the faults load acts on, set up over HTTP before any outage. */
import { call, expectStatus, sessionCookie } from './client';
import { CHANNELS, LOOPS, PASSWORD, TEACHER_CODE } from './scenario';

/** A workspace member the load acts as; `cookie` is replaced when the session is gone. */
export interface Member {
  username: string;
  cookie: string;
}

export interface Fixture {
  /** One member per send or history loop, so a loop that signs in again affects no other. */
  members: Member[];
  channelIds: number[];
  /** A user the login loop signs in as. */
  loginUsername: string;
}

/** A teacher, some students, one workspace with all of them and a few text channels. */
export async function setUp(base: string): Promise<Fixture> {
  const tag = `f${Date.now().toString(36)}`;
  const register = async (username: string, extra: Record<string, unknown> = {}) => {
    const reply = await expectStatus(
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
  };
  const teacher = await register(`${tag}t`, { role: 'teacher', teacherCode: TEACHER_CODE });
  const workspace = await expectStatus(
    call(base, 'POST', '/api/workspaces', { name: `faults ${tag}` }, teacher.cookie),
    201,
    'create workspace',
  );
  const workspaceId = (workspace.body as { id: number }).id;
  const members: Member[] = [teacher];
  while (members.length < LOOPS.send + LOOPS.history) {
    const student = await register(`${tag}s${members.length}`);
    await expectStatus(
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
    const channel = await expectStatus(
      call(
        base,
        'POST',
        `/api/workspaces/${workspaceId}/channels`,
        { name: `load-${i}`, type: 'text' },
        teacher.cookie,
      ),
      201,
      'create channel',
    );
    channelIds.push((channel.body as { id: number }).id);
  }
  const loginUser = await register(`${tag}l`);
  return { members, channelIds, loginUsername: loginUser.username };
}
