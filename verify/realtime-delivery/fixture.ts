/**
 * A teacher and STUDENTS students, registered over HTTP, sharing a workspace with two channels:
 * "live", which every connection subscribes to, and "quiet", which nobody does.
 */
import { call, expectStatus } from './client';
import { bounded, PASSWORD, STUDENTS, TEACHER_CODE } from './settings';

export interface Fixture {
  teacherSid: string;
  studentSids: string[];
  live: number;
  quiet: number;
}

type Registered = { id: number; sid: string };

async function registerAll(url: string, stamp: string) {
  const register = async (name: string, extra: Record<string, unknown>): Promise<Registered> => {
    const username = `rt${name}${stamp}`.slice(0, 32);
    const reply = await expectStatus(
      call(url, 'POST', '/api/auth/register', {
        username,
        password: PASSWORD,
        name: `Realtime ${name}`,
        email: `${username}@example.test`,
        ...extra,
      }),
      201,
      `register ${name}`,
    );
    if (!reply.sid) throw new Error(`register ${name}: no session cookie`);
    return { id: reply.body.id as number, sid: reply.sid };
  };
  const teacher = await register('t', { role: 'teacher', teacherCode: TEACHER_CODE });
  const students: Registered[] = [];
  await bounded(STUDENTS, 5, async (i) => {
    students[i] = await register(`s${i}`, { class: 'RT-7B' });
  });
  return { teacher, students };
}

export async function seed(url: string): Promise<Fixture> {
  const stamp = Date.now().toString(36);
  const { teacher, students } = await registerAll(url, stamp);
  const workspace = await expectStatus(
    call(url, 'POST', '/api/workspaces', { name: 'Realtime bench' }, teacher.sid),
    201,
    'create workspace',
  );
  const workspaceId = workspace.body.id as number;
  // One at a time: FerretDB runs the member update as a read then a write, so concurrent adds
  // to one workspace lose members (MongoDB applies each atomically).
  for (const student of students) {
    await expectStatus(
      call(
        url,
        'POST',
        `/api/workspaces/${workspaceId}/members`,
        { userId: student.id },
        teacher.sid,
      ),
      200,
      'add member',
    );
  }
  const channel = async (name: string) =>
    (
      await expectStatus(
        call(
          url,
          'POST',
          `/api/workspaces/${workspaceId}/channels`,
          { name, type: 'text' },
          teacher.sid,
        ),
        201,
        `create channel ${name}`,
      )
    ).body.id as number;
  return {
    teacherSid: teacher.sid,
    studentSids: students.map((s) => s.sid),
    live: await channel('live'),
    quiet: await channel('quiet'),
  };
}
