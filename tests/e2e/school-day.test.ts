/**
 * A school day, through the generated client only (client/, as a front end uses it): a teacher
 * registers and publishes a test, assigns it to the class, the students take it, the teacher
 * grades, the class chats, and both sides read the analytics. Every call is typed from
 * openapi.json, so a contract change that breaks the client fails `tsc --noEmit` on this file, and
 * every 2xx answer is checked against its documented schema (tests/helpers/api-client.ts).
 * The analytics job is no HTTP operation: it runs as its schedule runs it, by a Lambda invocation.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ApiError, Schemas } from '../../client';
import { runComputeAnalytics } from '../helpers/analytics-job';
import { type ApiUser, apiUser } from '../helpers/api-client';
import { newUser, uniqueName } from '../helpers/http-client';
import { E2E_TEACHER_CODE } from '../setup/offline';

/** openapi-fetch's answer: data on success, the documented error otherwise. */
type Answer<T> = { data?: T; error?: unknown; response: Response };

/** The data of a successful call; a failed one fails the test with its documented error. */
async function ok<T>(call: Promise<Answer<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (error !== undefined || data === undefined) {
    throw new Error(`${response.status} ${response.url}: ${JSON.stringify(error)}`);
  }
  return data;
}

interface Person extends ApiUser {
  user: Schemas['User'];
}

const className = uniqueName('day').slice(0, 20);
const id = (n: number) => String(n);

async function register(extra: { role?: 'teacher'; teacherCode?: string; class?: string }) {
  const person = apiUser();
  const user = await ok(person.api.POST('/api/auth/register', { body: newUser(extra) }));
  return { ...person, user } satisfies Person;
}

let teacher: Person;
/** ann answers everything right; ben gets the short answer wrong, cleo the MCQ (2 of 4 marks). */
let ann: Person;
let ben: Person;
let cleo: Person;
let test: Schemas['Test'];
let mcq: Schemas['Question'];
let short: Schemas['Question'];
const attempts = new Map<number, Schemas['TestAttempt']>();

beforeAll(async () => {
  teacher = await register({ role: 'teacher', teacherCode: E2E_TEACHER_CODE });
  [ann, ben, cleo] = await Promise.all([
    register({ class: className }),
    register({ class: className }),
    register({ class: className }),
  ]);
});

// Each step makes many calls, some of them the first (a cold start) of their function.
describe('a school day through the generated client', { timeout: 180_000 }, () => {
  it('the teacher prepares a test, publishes it and assigns it to the class', async () => {
    expect(await ok(teacher.api.GET('/api/users/me'))).toMatchObject({ role: 'teacher' });
    test = await ok(
      teacher.api.POST('/api/tests', {
        body: {
          title: 'Forces',
          subject: 'Science',
          class: className,
          testDate: new Date().toISOString(),
          totalMarks: 4,
        },
      }),
    );
    expect(test.status).toBe('draft');
    mcq = await ok(
      teacher.api.POST('/api/questions', {
        body: {
          testId: test.id,
          type: 'mcq',
          text: 'Which falls faster in a vacuum?',
          options: ['the feather', 'the hammer', 'neither'],
          correctAnswer: '2',
          marks: 2,
          order: 1,
          topic: 'gravity',
        },
      }),
    );
    short = await ok(
      teacher.api.POST('/api/questions', {
        body: {
          testId: test.id,
          type: 'short',
          text: 'What slows a sliding box?',
          marks: 2,
          order: 2,
          topic: 'friction',
        },
      }),
    );
    const published = await ok(
      teacher.api.PATCH('/api/tests/{id}', {
        params: { path: { id: id(test.id) } },
        body: { status: 'published' },
      }),
    );
    expect(published.status).toBe('published');
    const assigned = await ok(
      teacher.api.POST('/api/tests/{id}/assignments', {
        params: { path: { id: id(test.id) } },
        body: { class: className, dueDate: new Date(Date.now() + 86_400_000).toISOString() },
      }),
    );
    expect(assigned.map((a) => a.studentId).sort((a, b) => a - b)).toEqual(
      [ann.user.id, ben.user.id, cleo.user.id].sort((a, b) => a - b),
    );
  });

  it('the students find the assignment, and a student may not change the test', async () => {
    const mine = await ok(
      ann.api.GET('/api/assignments', { params: { query: { testId: id(test.id) } } }),
    );
    expect(mine.map((a) => [a.studentId, a.status])).toEqual([[ann.user.id, 'pending']]);
    // The error answer is typed too: {message, code, errors?, requestId}.
    const refused = await ann.api.PATCH('/api/tests/{id}', {
      params: { path: { id: id(test.id) } },
      body: { status: 'draft' },
    });
    expect(refused.response.status).toBe(403);
    const error: ApiError | undefined = refused.error;
    expect(error).toMatchObject({ code: expect.any(String), requestId: expect.any(String) });
  });

  it('the students take the test', async () => {
    const answers: [Person, number, string][] = [
      [ann, 2, 'friction'],
      [ben, 2, 'gravity'],
      [cleo, 0, 'friction'],
    ];
    await Promise.all(
      answers.map(async ([student, option, text]) => {
        const [assignment] = await ok(student.api.GET('/api/assignments'));
        if (!assignment) throw new Error('the student has no assignment');
        await ok(
          student.api.PATCH('/api/assignments/{id}', {
            params: { path: { id: id(assignment.id) } },
            body: { status: 'started' },
          }),
        );
        const questions = await ok(
          student.api.GET('/api/tests/{testId}/questions', {
            params: { path: { testId: id(test.id) } },
          }),
        );
        expect(questions.map((q) => q.id)).toEqual([mcq.id, short.id]);
        // A student's copy of a question carries no answer key.
        for (const question of questions) expect(question).not.toHaveProperty('correctAnswer');
        const attempt = await ok(
          student.api.POST('/api/test-attempts', { body: { testId: test.id } }),
        );
        await ok(
          student.api.POST('/api/answers', {
            body: { attemptId: attempt.id, questionId: mcq.id, selectedOption: option },
          }),
        );
        await ok(
          student.api.POST('/api/answers', {
            body: { attemptId: attempt.id, questionId: short.id, text },
          }),
        );
        const done = await ok(
          student.api.PATCH('/api/test-attempts/{id}', {
            params: { path: { id: id(attempt.id) } },
            body: { status: 'completed' },
          }),
        );
        expect(done.status).toBe('completed');
        await ok(
          student.api.PATCH('/api/assignments/{id}', {
            params: { path: { id: id(assignment.id) } },
            body: { status: 'completed' },
          }),
        );
        attempts.set(student.user.id, done);
      }),
    );
    const assignments = await ok(
      teacher.api.GET('/api/assignments', { params: { query: { testId: id(test.id) } } }),
    );
    expect(assignments.map((a) => a.status)).toEqual(['completed', 'completed', 'completed']);
  });

  it('the teacher grades the short answers and evaluates each attempt', async () => {
    const marks = new Map([
      [ann.user.id, 2],
      [ben.user.id, 0],
      [cleo.user.id, 2],
    ]);
    for (const [studentId, attempt] of attempts) {
      const answers = await ok(
        teacher.api.GET('/api/test-attempts/{id}/answers', {
          params: { path: { id: id(attempt.id) } },
        }),
      );
      const written = answers.find((a) => a.questionId === short.id);
      if (!written) throw new Error('the short answer is missing');
      const graded = await ok(
        teacher.api.POST('/api/answers/{id}/grade', {
          params: { path: { id: id(written.id) } },
          body: { score: marks.get(studentId) ?? 0, feedback: 'See the notes on friction.' },
        }),
      );
      const mcqAnswer = answers.find((a) => a.questionId === mcq.id);
      const mcqScore = mcqAnswer && 'score' in mcqAnswer ? (mcqAnswer.score ?? 0) : 0;
      const evaluated = await ok(
        teacher.api.PATCH('/api/test-attempts/{id}', {
          params: { path: { id: id(attempt.id) } },
          body: { status: 'evaluated', score: mcqScore + (graded.score ?? 0) },
        }),
      );
      expect(evaluated.score).toBe(studentId === ann.user.id ? 4 : 2);
    }
    const own = await ok(
      ben.api.GET('/api/test-attempts/{id}/answers', {
        params: { path: { id: id(attempts.get(ben.user.id)?.id ?? 0) } },
      }),
    );
    expect(own.find((a) => a.questionId === short.id)).toMatchObject({
      score: 0,
      feedback: 'See the notes on friction.',
    });
  });

  it('the class chats in its workspace and reads what is new', async () => {
    const workspace = await ok(
      teacher.api.POST('/api/workspaces', { body: { name: `Class ${className}` } }),
    );
    for (const student of [ann, ben, cleo]) {
      await ok(
        teacher.api.POST('/api/workspaces/{id}/members', {
          params: { path: { id: id(workspace.id) } },
          body: { userId: student.user.id },
        }),
      );
    }
    const channel = await ok(
      teacher.api.POST('/api/workspaces/{id}/channels', {
        params: { path: { id: id(workspace.id) } },
        body: { name: 'forces', class: className, subject: 'Science' },
      }),
    );
    const listed = await ok(
      cleo.api.GET('/api/workspaces/{id}/channels', {
        params: { path: { id: id(workspace.id) } },
      }),
    );
    expect(listed.map((c) => c.id)).toContain(channel.id);

    const hello = await ok(
      teacher.api.POST('/api/messages', {
        body: { channelId: channel.id, content: 'Grades are out. Questions?' },
      }),
    );
    const question = await ok(
      ben.api.POST('/api/messages', {
        body: { channelId: channel.id, content: 'Why is friction not gravity?' },
      }),
    );
    await ok(
      ann.api.POST('/api/messages', {
        body: { channelId: channel.id, content: 'Homework: friction notes', isHomework: true },
      }),
    );

    const unread = () =>
      ok(cleo.api.GET('/api/channels/{id}/unread', { params: { path: { id: id(channel.id) } } }));
    expect(await unread()).toEqual({ unreadCount: 3 });
    const history = await ok(
      cleo.api.GET('/api/channels/{id}/messages', {
        params: { path: { id: id(channel.id) }, query: { limit: '50' } },
      }),
    );
    expect(history.map((m) => m.content)).toEqual([
      'Grades are out. Questions?',
      'Why is friction not gravity?',
      'Homework: friction notes',
    ]);
    expect(history[0]?.id).toBe(hello.id);
    // Reading marks each message read (the count is of messages by others not yet read).
    for (const message of history) {
      const read = await ok(
        cleo.api.POST('/api/messages/{id}/read', {
          params: { path: { id: message.id } },
          body: { channelId: channel.id },
        }),
      );
      expect(read.readBy).toContain(cleo.user.id);
    }
    expect(await unread()).toEqual({ unreadCount: 0 });

    // The teacher pins the question for everyone, then unpins it (two operations, two functions).
    const pinned = await ok(
      teacher.api.POST('/api/channels/{id}/pin/{messageId}', {
        params: { path: { id: id(channel.id), messageId: question.id } },
      }),
    );
    expect(pinned.pinnedMessages).toEqual([question.id]);
    const unpinned = await ok(
      teacher.api.DELETE('/api/channels/{id}/pin/{messageId}', {
        params: { path: { id: id(channel.id), messageId: question.id } },
      }),
    );
    expect(unpinned.pinnedMessages).toEqual([]);
  });

  it('the analytics job runs, and each side reads its analytics', async () => {
    expect(await runComputeAnalytics()).toMatchObject({ complete: true });

    const anns = await ok(ann.api.GET('/api/analytics/me'));
    expect(anns.filter((row) => row.testId === test.id)).toEqual([
      expect.objectContaining({
        userId: ann.user.id,
        scorePercentage: 100,
        topicAccuracy: { friction: 100, gravity: 100 },
        weakTopics: [],
      }),
    ]);
    const bens = await ok(ben.api.GET('/api/analytics/me'));
    expect(bens.find((row) => row.testId === test.id)).toMatchObject({
      scorePercentage: 50,
      weakTopics: ['friction'],
    });

    const forClass = await ok(
      teacher.api.GET('/api/tests/{id}/analytics', { params: { path: { id: id(test.id) } } }),
    );
    expect(
      [...forClass.students]
        .sort((a, b) => a.userId - b.userId)
        .map((s) => [s.userId, s.scorePercentage]),
    ).toEqual(
      [
        [ann.user.id, 100],
        [ben.user.id, 50],
        [cleo.user.id, 50],
      ].sort((a, b) => (a[0] as number) - (b[0] as number)),
    );
    expect(forClass.statistics).toMatchObject({ testId: test.id, attempts: 3, min: 50, max: 100 });
  });
});
