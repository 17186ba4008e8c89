/**
 * Tests, questions, attempts and answers through serverless-offline, as clients use them. Every
 * test builds its own world of fresh users and a fresh class, so nothing leaks between tests.
 *
 * The 403/404 rule (lib/authz/tests.ts): 404 when the caller may not read the thing, 403 when
 * they may read it but not do this (or have the wrong role for the route), 409 for a state that
 * forbids it now. The authorization matrix pins the status of every refused call and reads the
 * data back to show the refusal changed nothing.
 */
import { describe, expect, it } from 'vitest';
import { runComputeAnalytics } from '../helpers/analytics-job';
import { Client, newUser, type Reply, uniqueName } from '../helpers/http-client';
import { E2E_TEACHER_CODE } from '../setup/offline';

interface Row {
  id: number;
  [field: string]: unknown;
}

interface Actor {
  client: Client;
  user: Row;
}

/** Asserts the status (naming the body when it differs) and returns the body. */
function expectStatus<T = Row>(reply: Reply, status: number): T {
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  return reply.body as T;
}

/** The `errors[].path` values of a 400. */
const issuePaths = (reply: Reply) =>
  ((reply.body as { errors?: { path: string }[] }).errors ?? []).map((e) => e.path);

async function register(overrides: Record<string, unknown> = {}): Promise<Actor> {
  const client = new Client();
  const user = expectStatus(await client.post('/api/auth/register', newUser(overrides)), 201);
  return { client, user };
}

const teacherAccount = () => register({ role: 'teacher', teacherCode: E2E_TEACHER_CODE });

const patch = (actor: Actor, path: string, body: unknown) =>
  actor.client.request('PATCH', path, body);

function testBody(className: string, overrides: Record<string, unknown> = {}) {
  return {
    title: 'Algebra quiz',
    description: 'Chapter 3',
    subject: 'Maths',
    class: className,
    testDate: '2026-12-01T09:00:00Z',
    totalMarks: 10,
    duration: 30,
    questionTypes: ['mcq', 'short'],
    status: 'published',
    ...overrides,
  };
}

/** An MCQ whose key is option 1 ("4"), worth 2 marks. */
const mcqBody = (testId: number) => ({
  testId,
  type: 'mcq',
  text: '2 + 2 = ?',
  options: ['3', '4', '5'],
  correctAnswer: '1',
  marks: 2,
  order: 1,
  aiRubric: 'Only 4 is right',
  topic: 'arithmetic',
});

const shortBody = (testId: number) => ({
  testId,
  type: 'short',
  text: 'Why is it 4?',
  correctAnswer: 'Two pairs',
  marks: 5,
  order: 2,
  aiRubric: 'Mentions two pairs',
  topic: 'reasoning',
});

/**
 * A teacher with a published and a draft test of a fresh class, two questions on the published
 * one (created in reverse order), two students of that class, a student of another class and
 * another teacher.
 */
async function world() {
  const className = uniqueName('class');
  const [teacher, otherTeacher, student, classmate, outsider] = await Promise.all([
    teacherAccount(),
    teacherAccount(),
    register({ class: className }),
    register({ class: className }),
    register({ class: uniqueName('class') }),
  ]);
  const post = (path: string, body: unknown) =>
    teacher.client.post(path, body).then((reply) => expectStatus(reply, 201));
  const published = await post('/api/tests', testBody(className));
  const draft = await post('/api/tests', testBody(className, { status: 'draft', title: 'Draft' }));
  const short = await post('/api/questions', shortBody(published.id));
  const mcq = await post('/api/questions', mcqBody(published.id));
  return {
    className,
    teacher,
    otherTeacher,
    student,
    classmate,
    outsider,
    published,
    draft,
    mcq,
    short,
  };
}

type World = Awaited<ReturnType<typeof world>>;

async function startAttempt(student: Actor, testId: number): Promise<Row> {
  return expectStatus(await student.client.post('/api/test-attempts', { testId }), 201);
}

async function completeAttempt(student: Actor, attemptId: number): Promise<Row> {
  const reply = await patch(student, `/api/test-attempts/${attemptId}`, { status: 'completed' });
  return expectStatus(reply, 200);
}

const submit = (student: Actor, body: Record<string, unknown>) =>
  student.client.post('/api/answers', body);

async function answersOf(viewer: Actor, attemptId: number): Promise<Row[]> {
  return expectStatus<Row[]>(
    await viewer.client.get(`/api/test-attempts/${attemptId}/answers`),
    200,
  );
}

/** An attempt by `w.student` with an answer to each question, still in progress. */
async function answeredAttempt(w: World) {
  const attempt = await startAttempt(w.student, w.published.id);
  const mcqAnswer = expectStatus(
    await submit(w.student, { attemptId: attempt.id, questionId: w.mcq.id, selectedOption: 1 }),
    201,
  );
  const shortAnswer = expectStatus(
    await submit(w.student, { attemptId: attempt.id, questionId: w.short.id, text: 'Two twos' }),
    201,
  );
  return { attempt, mcqAnswer, shortAnswer };
}

/** Every call gets its status, and `readBack` answers the same after them as before. */
async function expectRefused(
  calls: [who: string, status: 403 | 404, call: () => Promise<Reply>][],
  readBack: () => Promise<unknown>,
) {
  const before = await readBack();
  for (const [who, status, call] of calls) {
    const reply = await call();
    expect(reply.status, `${who}: ${JSON.stringify(reply.body)}`).toBe(status);
  }
  expect(await readBack()).toEqual(before);
}

const STUDENT_QUESTION_KEYS = [
  'id',
  'marks',
  'options',
  'order',
  'testId',
  'text',
  'topic',
  'type',
];
const PENDING_ANSWER_KEYS = ['attemptId', 'id', 'imageUrl', 'questionId', 'selectedOption', 'text'];

// ---------------------------------------------------------------------------------------------

describe('POST /api/tests', () => {
  it('creates a test owned by the calling teacher, with the defaults (201)', async () => {
    const teacher = await teacherAccount();
    const className = uniqueName('class');
    const reply = await teacher.client.post('/api/tests', {
      title: 'Minimal',
      subject: 'Maths',
      class: className,
      testDate: '2026-12-01',
    });
    const test = expectStatus(reply, 201);
    expect(test).toMatchObject({
      title: 'Minimal',
      class: className,
      teacherId: teacher.user.id,
      status: 'draft',
      totalMarks: 100,
      duration: 60,
      questionTypes: [],
      description: null,
      maxAttempts: 1,
    });
    expect(typeof test.id).toBe('number');
    const named = await teacher.client.post(
      '/api/tests',
      testBody(className, { teacherId: teacher.user.id }),
    );
    expect(expectStatus(named, 201).teacherId).toBe(teacher.user.id);
  });

  it('refuses another teacherId (403) and students (403), creating nothing', async () => {
    const [teacher, other, student] = await Promise.all([
      teacherAccount(),
      teacherAccount(),
      register({ class: uniqueName('class') }),
    ]);
    const className = uniqueName('class');
    const forOther = await teacher.client.post(
      '/api/tests',
      testBody(className, { teacherId: other.user.id }),
    );
    expect(forOther.status).toBe(403);
    expect((await student.client.post('/api/tests', testBody(className))).status).toBe(403);
    expect((await teacher.client.get('/api/tests')).body).toEqual([]);
    expect((await other.client.get('/api/tests')).body).toEqual([]);
  });

  it('refuses unknown fields and bad values with 400 naming them, and no session with 401', async () => {
    const teacher = await teacherAccount();
    const className = uniqueName('class');
    const extra = await teacher.client.post('/api/tests', testBody(className, { id: 5 }));
    expect(extra.status).toBe(400);
    const bad = await teacher.client.post(
      '/api/tests',
      testBody(className, { status: 'open', testDate: 'tomorrow' }),
    );
    expect(bad.status).toBe(400);
    expect(issuePaths(bad)).toEqual(expect.arrayContaining(['body.status', 'body.testDate']));
    expect((await new Client().post('/api/tests', testBody(className))).status).toBe(401);
  });
});

describe('GET /api/tests', () => {
  it("lists a teacher's own tests, newest first, filtered by status", async () => {
    const w = await world();
    const all = expectStatus<Row[]>(await w.teacher.client.get('/api/tests'), 200);
    expect(all.map((t) => t.id)).toEqual([w.draft.id, w.published.id]);
    const drafts = expectStatus<Row[]>(await w.teacher.client.get('/api/tests?status=draft'), 200);
    expect(drafts.map((t) => t.id)).toEqual([w.draft.id]);
    expect((await w.otherTeacher.client.get('/api/tests')).body).toEqual([]);
  });

  it("lists a student's class's tests without drafts, even when drafts are asked for", async () => {
    const w = await world();
    const mine = expectStatus<Row[]>(await w.student.client.get('/api/tests'), 200);
    expect(mine.map((t) => t.id)).toEqual([w.published.id]);
    expect((await w.student.client.get('/api/tests?status=draft')).body).toEqual([]);
    const open = await w.student.client.get('/api/tests?status=published');
    expect((open.body as Row[]).map((t) => t.id)).toEqual([w.published.id]);
    expect((await w.outsider.client.get('/api/tests')).body).toEqual([]);
    const classless = await register();
    expect(expectStatus<Row[]>(await classless.client.get('/api/tests'), 200)).toEqual([]);
  });

  it('refuses an unknown status or query parameter with 400', async () => {
    const teacher = await teacherAccount();
    const bogus = await teacher.client.get('/api/tests?status=archived');
    expect(bogus.status).toBe(400);
    expect(issuePaths(bogus)).toEqual(['query.status']);
    expect((await teacher.client.get('/api/tests?teacherId=1')).status).toBe(400);
    expect((await new Client().get('/api/tests')).status).toBe(401);
  });
});

describe('GET /api/tests/:id', () => {
  it('shows a test to its owner and a published one to students of its class', async () => {
    const w = await world();
    expect(expectStatus(await w.teacher.client.get(`/api/tests/${w.draft.id}`), 200)).toEqual(
      w.draft,
    );
    expect(expectStatus(await w.student.client.get(`/api/tests/${w.published.id}`), 200)).toEqual(
      w.published,
    );
    expect((await w.teacher.client.get('/api/tests/2000000000')).status).toBe(404);
  });
});

describe('PATCH /api/tests/:id', () => {
  it('changes only the fields sent', async () => {
    const w = await world();
    const reply = await patch(w.teacher, `/api/tests/${w.draft.id}`, {
      title: 'Renamed',
      status: 'published',
    });
    const changed = expectStatus(reply, 200);
    expect(changed).toEqual({ ...w.draft, title: 'Renamed', status: 'published' });
    expect((await w.teacher.client.get(`/api/tests/${w.draft.id}`)).body).toEqual(changed);
    // Published now: its students see it.
    expect((await w.student.client.get(`/api/tests/${w.draft.id}`)).status).toBe(200);
  });

  it('refuses teacherId, unknown fields and an empty change with 400, changing nothing', async () => {
    const w = await world();
    const path = `/api/tests/${w.published.id}`;
    const owner = await patch(w.teacher, path, { teacherId: w.otherTeacher.user.id });
    expect(owner.status).toBe(400);
    expect(JSON.stringify(owner.body)).toContain('teacherId');
    expect((await patch(w.teacher, path, { createdAt: '2020-01-01' })).status).toBe(400);
    expect((await patch(w.teacher, path, {})).status).toBe(400);
    expect((await patch(w.teacher, path, { duration: 0 })).status).toBe(400);
    expect((await w.teacher.client.get(path)).body).toEqual(w.published);
  });
});

describe('POST /api/questions and GET /api/tests/:testId/questions', () => {
  it("creates questions on the owner's test (201) and lists them by order", async () => {
    const w = await world();
    expect(w.mcq).toMatchObject({ ...mcqBody(w.published.id), id: expect.any(Number) });
    const listed = expectStatus<Row[]>(
      await w.teacher.client.get(`/api/tests/${w.published.id}/questions`),
      200,
    );
    // The short question was created first but has order 2.
    expect(listed).toEqual([w.mcq, w.short]);
  });

  it('shows students the questions without correctAnswer or aiRubric', async () => {
    const w = await world();
    const reply = await w.student.client.get(`/api/tests/${w.published.id}/questions`);
    const listed = expectStatus<Row[]>(reply, 200);
    expect(listed.map((q) => q.id)).toEqual([w.mcq.id, w.short.id]);
    for (const question of listed)
      expect(Object.keys(question).sort()).toEqual(STUDENT_QUESTION_KEYS);
    expect(JSON.stringify(listed)).not.toMatch(/correctAnswer|aiRubric|Two pairs|Only 4/);
    expect(listed[0]).toMatchObject({ options: ['3', '4', '5'], marks: 2, topic: 'arithmetic' });
  });

  it('stores an MCQ key written "01" as "1", and grades option 1 with full marks', async () => {
    const w = await world();
    const padded = expectStatus(
      await w.teacher.client.post('/api/questions', {
        ...mcqBody(w.published.id),
        correctAnswer: '01',
        order: 3,
      }),
      201,
    );
    expect(padded.correctAnswer).toBe('1');
    const attempt = await startAttempt(w.student, w.published.id);
    const answer = expectStatus(
      await submit(w.student, { attemptId: attempt.id, questionId: padded.id, selectedOption: 1 }),
      201,
    );
    await completeAttempt(w.student, attempt.id);
    expect(await answersOf(w.teacher, attempt.id)).toEqual([
      expect.objectContaining({ id: answer.id, selectedOption: 1, isCorrect: true, score: 2 }),
    ]);
  });

  it('refuses a bad MCQ key, unknown fields and a missing test', async () => {
    const w = await world();
    const badKey = await w.teacher.client.post('/api/questions', {
      ...mcqBody(w.published.id),
      correctAnswer: '3',
    });
    expect(badKey.status).toBe(400);
    expect(issuePaths(badKey)).toContain('body.correctAnswer');
    const extra = await w.teacher.client.post('/api/questions', {
      ...shortBody(w.published.id),
      id: 1,
    });
    expect(extra.status).toBe(400);
    const missing = await w.teacher.client.post('/api/questions', shortBody(2_000_000_000));
    expect(missing.status).toBe(404);
    const listed = await w.teacher.client.get(`/api/tests/${w.published.id}/questions`);
    expect((listed.body as Row[]).length).toBe(2);
  });
});

describe('POST /api/test-attempts', () => {
  it("starts an attempt on a published test of the student's class; the server sets the rest", async () => {
    const w = await world();
    const reply = await w.student.client.post('/api/test-attempts', { testId: w.published.id });
    const attempt = expectStatus(reply, 201);
    expect(attempt).toMatchObject({
      testId: w.published.id,
      studentId: w.student.user.id,
      status: 'in_progress',
      endTime: null,
      score: null,
    });
    expect(Math.abs(Date.parse(attempt.startTime as string) - Date.now())).toBeLessThan(60_000);
    const forged = await w.student.client.post('/api/test-attempts', {
      testId: w.published.id,
      studentId: w.classmate.user.id,
    });
    expect(forged.status).toBe(400);
  });

  it('allows one attempt in progress per student and test (409), and a new one once completed', async () => {
    const w = await world();
    expectStatus(await patch(w.teacher, `/api/tests/${w.published.id}`, { maxAttempts: 2 }), 200);
    const first = await startAttempt(w.student, w.published.id);
    const second = await w.student.client.post('/api/test-attempts', { testId: w.published.id });
    expect(second.status).toBe(409);
    // Another student's attempt is theirs alone.
    await startAttempt(w.classmate, w.published.id);
    await completeAttempt(w.student, first.id);
    const next = await startAttempt(w.student, w.published.id);
    expect(next.id).not.toBe(first.id);
    expect(next.status).toBe('in_progress');
  });

  it('replays a retried start with the same Idempotency-Key instead of answering 409', async () => {
    const w = await world();
    const key = { 'idempotency-key': `start-${Date.now()}` };
    const first = await w.student.client.post(
      '/api/test-attempts',
      { testId: w.published.id },
      key,
    );
    const retry = await w.student.client.post(
      '/api/test-attempts',
      { testId: w.published.id },
      key,
    );
    expect([first.status, retry.status]).toEqual([201, 201]);
    expect((retry.body as Row).id).toBe((first.body as Row).id);
    expect(
      (await w.student.client.post('/api/test-attempts', { testId: w.draft.id }, key)).status,
    ).toBe(422);
    // Without the key, a second start is still the 409 of "one attempt in progress".
    expect(
      (await w.student.client.post('/api/test-attempts', { testId: w.published.id })).status,
    ).toBe(409);
  });

  it('refuses a draft (404), another class (404), a closed test (409) and teachers (403)', async () => {
    const w = await world();
    const start = (actor: Actor, testId: number) =>
      actor.client.post('/api/test-attempts', { testId });
    expect((await start(w.student, w.draft.id)).status).toBe(404);
    expect((await start(w.outsider, w.published.id)).status).toBe(404);
    expect((await start(w.teacher, w.published.id)).status).toBe(403);
    expect((await start(w.student, 2_000_000_000)).status).toBe(404);
    const closed = await patch(w.teacher, `/api/tests/${w.published.id}`, { status: 'completed' });
    expectStatus(closed, 200);
    expect((await start(w.student, w.published.id)).status).toBe(409);
    // None of the refusals left an attempt in progress: once the draft opens, it starts.
    expectStatus(await patch(w.teacher, `/api/tests/${w.draft.id}`, { status: 'published' }), 200);
    await startAttempt(w.student, w.draft.id);
  });
});

describe('PATCH /api/test-attempts/:id', () => {
  it('lets the student complete their attempt once; the server sets endTime', async () => {
    const w = await world();
    const attempt = await startAttempt(w.student, w.published.id);
    const path = `/api/test-attempts/${attempt.id}`;
    expect((await patch(w.student, path, { status: 'completed', endTime: null })).status).toBe(400);
    expect((await patch(w.student, path, { status: 'in_progress' })).status).toBe(400);
    const done = await completeAttempt(w.student, attempt.id);
    expect(done).toMatchObject({ ...attempt, status: 'completed', endTime: expect.any(String) });
    expect(Date.parse(done.endTime as string)).toBeGreaterThanOrEqual(
      Date.parse(attempt.startTime as string),
    );
    expect((await patch(w.student, path, { status: 'completed' })).status).toBe(409);
  });

  it('lets the owner teacher evaluate a completed attempt with a score, once', async () => {
    const w = await world();
    const attempt = await startAttempt(w.student, w.published.id);
    const path = `/api/test-attempts/${attempt.id}`;
    // Still in progress: not yet.
    expect((await patch(w.teacher, path, { status: 'evaluated', score: 6 })).status).toBe(409);
    await completeAttempt(w.student, attempt.id);
    const tooMuch = await patch(w.teacher, path, { status: 'evaluated', score: 11 });
    expect(tooMuch.status).toBe(400);
    expect(issuePaths(tooMuch)).toEqual(['body.score']);
    expect((await patch(w.teacher, path, { status: 'evaluated' })).status).toBe(400);
    const evaluated = expectStatus(
      await patch(w.teacher, path, { status: 'evaluated', score: 6 }),
      200,
    );
    expect(evaluated).toMatchObject({ id: attempt.id, status: 'evaluated', score: 6 });
    expect((await patch(w.teacher, path, { status: 'evaluated', score: 9 })).status).toBe(409);
  });
});

describe('attempt limit (maxAttempts) and grades withheld while attempts remain', () => {
  /** A published 1-question test with 4 options (key: option 2) allowing `maxAttempts`. */
  async function probeWorld(maxAttempts: number) {
    const className = uniqueName('class');
    const [teacher, student] = await Promise.all([
      teacherAccount(),
      register({ class: className }),
    ]);
    const test = expectStatus(
      await teacher.client.post('/api/tests', testBody(className, { maxAttempts })),
      201,
    );
    expect(test.maxAttempts).toBe(maxAttempts);
    const question = expectStatus(
      await teacher.client.post('/api/questions', {
        testId: test.id,
        type: 'mcq',
        text: 'Which one?',
        options: ['a', 'b', 'c', 'd'],
        correctAnswer: '2',
        marks: 4,
        order: 1,
      }),
      201,
    );
    return { teacher, student, test, question };
  }

  /** Everything in the replies that would tell a student whether an answer was right. */
  const GRADE_FIELDS = /"(score|isCorrect|feedback|aiFeedback|aiConfidence|scorePercentage)"/;

  it('keeps a probing student from learning the key until no attempt remains; the owner sees all', async () => {
    const { teacher, student, test, question } = await probeWorld(2);
    const attemptIds: number[] = [];
    for (const option of [0, 1]) {
      const attempt = await startAttempt(student, test.id);
      attemptIds.push(attempt.id);
      const answered = await submit(student, {
        attemptId: attempt.id,
        questionId: question.id,
        selectedOption: option,
      });
      expect(JSON.stringify(expectStatus(answered, 201))).not.toMatch(GRADE_FIELDS);
      const completed = await completeAttempt(student, attempt.id);
      expect(completed).toMatchObject({ status: 'completed', score: null });
      if (option === 0) {
        // Attempt 1 is over and graded, but a retake remains: every student view is silent.
        const listed = await answersOf(student, attempt.id);
        expect(listed).toHaveLength(1);
        expect(Object.keys(listed[0] as Row).sort()).toEqual(PENDING_ANSWER_KEYS);
        expect(await runComputeAnalytics()).toMatchObject({ complete: true });
        expect(expectStatus(await student.client.get('/api/analytics/me'), 200)).toEqual([]);
        // The owner sees the grade, and the analytics the job has computed.
        expect(await answersOf(teacher, attempt.id)).toEqual([
          expect.objectContaining({ selectedOption: 0, isCorrect: false, score: 0 }),
        ]);
        const classView = expectStatus<{ students: Row[] }>(
          await teacher.client.get(`/api/tests/${test.id}/analytics`),
          200,
        );
        expect(classView.students).toEqual([
          expect.objectContaining({ userId: student.user.id, scorePercentage: 0 }),
        ]);
      }
    }
    // No attempt remains: 409 with its own code, and now the student sees every grade.
    const third = await student.client.post('/api/test-attempts', { testId: test.id });
    expect(third.status).toBe(409);
    expect(third.body).toMatchObject({ code: 'ATTEMPT_LIMIT_REACHED' });
    for (const [index, attemptId] of attemptIds.entries()) {
      expect(await answersOf(student, attemptId)).toEqual([
        expect.objectContaining({ selectedOption: index, isCorrect: false, score: 0 }),
      ]);
      expect(await answersOf(student, attemptId)).toEqual(await answersOf(teacher, attemptId));
    }
    await runComputeAnalytics();
    expect(expectStatus(await student.client.get('/api/analytics/me'), 200)).toEqual([
      expect.objectContaining({ testId: test.id, attemptId: attemptIds[1], scorePercentage: 0 }),
    ]);
  });

  it('withholds grades while an attempt is in progress, even when it is the last one', async () => {
    const { student, test, question } = await probeWorld(2);
    const first = await startAttempt(student, test.id);
    await submit(student, { attemptId: first.id, questionId: question.id, selectedOption: 2 });
    await completeAttempt(student, first.id);
    await runComputeAnalytics();
    // The second (last) attempt is in progress: attempt 1's grade would tell it the key.
    const last = await startAttempt(student, test.id);
    const listed = await answersOf(student, first.id);
    expect(JSON.stringify(listed)).not.toMatch(GRADE_FIELDS);
    expect(expectStatus(await student.client.get('/api/analytics/me'), 200)).toEqual([]);
    await completeAttempt(student, last.id);
    expect(await answersOf(student, first.id)).toEqual([
      expect.objectContaining({ selectedOption: 2, isCorrect: true, score: 4 }),
    ]);
  });

  it('shows the grades once the teacher closes the test, with attempts unused; a draft does not', async () => {
    const { teacher, student, test, question } = await probeWorld(3);
    const attempt = await startAttempt(student, test.id);
    await submit(student, { attemptId: attempt.id, questionId: question.id, selectedOption: 2 });
    await completeAttempt(student, attempt.id);
    expect(JSON.stringify(await answersOf(student, attempt.id))).not.toMatch(GRADE_FIELDS);
    // Back to draft (say, to fix a typo) and published again: retakes remain throughout, so
    // no view of the student may show a grade (it would give the key for the retake).
    expectStatus(await patch(teacher, `/api/tests/${test.id}`, { status: 'draft' }), 200);
    await runComputeAnalytics();
    expect(JSON.stringify(await answersOf(student, attempt.id))).not.toMatch(GRADE_FIELDS);
    expect(expectStatus(await student.client.get('/api/analytics/me'), 200)).toEqual([]);
    expectStatus(await patch(teacher, `/api/tests/${test.id}`, { status: 'published' }), 200);
    const retake = await startAttempt(student, test.id);
    await completeAttempt(student, retake.id);
    expect(JSON.stringify(await answersOf(student, attempt.id))).not.toMatch(GRADE_FIELDS);
    expectStatus(await patch(teacher, `/api/tests/${test.id}`, { status: 'completed' }), 200);
    expect(await answersOf(student, attempt.id)).toEqual([
      expect.objectContaining({ isCorrect: true, score: 4 }),
    ]);
  });

  it('never lets concurrent starts exceed maxAttempts', async () => {
    const { student, test } = await probeWorld(3);
    // Six clients of the same student start and complete attempts as fast as they can, until
    // the limit refuses them: a count-then-insert would let racing starts slip past it.
    const started: number[] = [];
    const refusals: Reply[] = [];
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        for (;;) {
          const reply = await student.client.post('/api/test-attempts', { testId: test.id });
          if (reply.status === 201) {
            started.push((reply.body as Row).id);
            await completeAttempt(student, (reply.body as Row).id);
            continue;
          }
          refusals.push(reply);
          if ((reply.body as Row).code === 'ATTEMPT_LIMIT_REACHED') return;
        }
      }),
    );
    expect(started).toHaveLength(3);
    for (const reply of refusals) {
      expect(reply.status, JSON.stringify(reply.body)).toBe(409);
      expect(['ATTEMPT_IN_PROGRESS', 'ATTEMPT_LIMIT_REACHED']).toContain((reply.body as Row).code);
    }
    // And in one burst after the limit, every start is refused.
    const burst = await Promise.all(
      Array.from({ length: 8 }, () =>
        student.client.post('/api/test-attempts', { testId: test.id }),
      ),
    );
    for (const reply of burst) {
      expect(reply.status).toBe(409);
      expect(reply.body).toMatchObject({ code: 'ATTEMPT_LIMIT_REACHED' });
    }
  });

  it('refuses a maxAttempts that is not an integer 1..20 with 400 naming it', async () => {
    const teacher = await teacherAccount();
    const className = uniqueName('class');
    const test = expectStatus(await teacher.client.post('/api/tests', testBody(className)), 201);
    for (const maxAttempts of [0, 21, 1.5, '2', null]) {
      const created = await teacher.client.post('/api/tests', testBody(className, { maxAttempts }));
      expect(created.status, String(maxAttempts)).toBe(400);
      expect(issuePaths(created)).toEqual(['body.maxAttempts']);
      const changed = await patch(teacher, `/api/tests/${test.id}`, { maxAttempts });
      expect(changed.status, String(maxAttempts)).toBe(400);
      expect(issuePaths(changed)).toEqual(['body.maxAttempts']);
    }
    expect((await teacher.client.get(`/api/tests/${test.id}`)).body).toEqual(test);
    expect(
      expectStatus(await patch(teacher, `/api/tests/${test.id}`, { maxAttempts: 20 }), 200),
    ).toMatchObject({ maxAttempts: 20 });
  });
});

describe('POST /api/answers', () => {
  it('grades MCQs on the server; the student sees no grade until the attempt is over', async () => {
    const w = await world();
    const { attempt, mcqAnswer, shortAnswer } = await answeredAttempt(w);
    expect(Object.keys(mcqAnswer).sort()).toEqual(PENDING_ANSWER_KEYS);
    expect(mcqAnswer).toMatchObject({ questionId: w.mcq.id, selectedOption: 1 });
    expect(shortAnswer).toMatchObject({ questionId: w.short.id, text: 'Two twos' });
    const pending = await answersOf(w.student, attempt.id);
    for (const answer of pending) expect(Object.keys(answer).sort()).toEqual(PENDING_ANSWER_KEYS);

    // Listed by question id: the short question was created first.
    const byTeacher = await answersOf(w.teacher, attempt.id);
    expect(byTeacher).toEqual([
      expect.objectContaining({ id: shortAnswer.id, isCorrect: null, score: null }),
      expect.objectContaining({ id: mcqAnswer.id, isCorrect: true, score: 2, feedback: null }),
    ]);

    // A wrong option scores 0.
    const other = await startAttempt(w.classmate, w.published.id);
    expectStatus(
      await submit(w.classmate, { attemptId: other.id, questionId: w.mcq.id, selectedOption: 0 }),
      201,
    );
    expect(await answersOf(w.teacher, other.id)).toEqual([
      expect.objectContaining({ selectedOption: 0, isCorrect: false, score: 0 }),
    ]);

    await completeAttempt(w.student, attempt.id);
    expect(await answersOf(w.student, attempt.id)).toEqual(byTeacher);
  });

  it('replaces the earlier answer to the same question, and its grade', async () => {
    const w = await world();
    const { attempt, mcqAnswer } = await answeredAttempt(w);
    const again = expectStatus(
      await submit(w.student, { attemptId: attempt.id, questionId: w.mcq.id, selectedOption: 2 }),
      201,
    );
    expect(again.id).toBe(mcqAnswer.id);
    const answers = await answersOf(w.teacher, attempt.id);
    expect(answers.filter((a) => a.questionId === w.mcq.id)).toEqual([
      expect.objectContaining({ id: mcqAnswer.id, selectedOption: 2, isCorrect: false, score: 0 }),
    ]);
    expect(answers).toHaveLength(2);
  });

  it('refuses score, isCorrect and feedback from the client (400), storing nothing', async () => {
    const w = await world();
    const attempt = await startAttempt(w.student, w.published.id);
    const base = { attemptId: attempt.id, questionId: w.short.id, text: 'Mine' };
    for (const forged of [{ score: 5 }, { isCorrect: true }, { feedback: 'Perfect' }]) {
      const reply = await submit(w.student, { ...base, ...forged });
      expect(reply.status, JSON.stringify(forged)).toBe(400);
      expect(JSON.stringify(reply.body)).toContain(Object.keys(forged)[0] as string);
    }
    expect(await answersOf(w.teacher, attempt.id)).toEqual([]);
  });

  it('refuses a question of another test (404), a bad option (400) and a finished attempt (409)', async () => {
    const w = await world();
    const attempt = await startAttempt(w.student, w.published.id);
    const foreign = expectStatus(
      await w.teacher.client.post('/api/questions', shortBody(w.draft.id)),
      201,
    );
    const ids = { attemptId: attempt.id };
    expect((await submit(w.student, { ...ids, questionId: foreign.id, text: 'x' })).status).toBe(
      404,
    );
    const outOfRange = await submit(w.student, { ...ids, questionId: w.mcq.id, selectedOption: 3 });
    expect(outOfRange.status).toBe(400);
    expect(issuePaths(outOfRange)).toEqual(['body.selectedOption']);
    const notMcq = await submit(w.student, { ...ids, questionId: w.short.id, selectedOption: 0 });
    expect(notMcq.status).toBe(400);
    expect(await answersOf(w.teacher, attempt.id)).toEqual([]);
    await completeAttempt(w.student, attempt.id);
    const late = await submit(w.student, { ...ids, questionId: w.short.id, text: 'late' });
    expect(late.status).toBe(409);
    expect(await answersOf(w.teacher, attempt.id)).toEqual([]);
  });
});

describe('POST /api/answers/:id/grade', () => {
  it('lets the owner grade a written answer of a finished attempt, up to its marks', async () => {
    const w = await world();
    const { attempt, shortAnswer } = await answeredAttempt(w);
    const path = `/api/answers/${shortAnswer.id}/grade`;
    expect((await w.teacher.client.post(path, { score: 4 })).status).toBe(409);
    await completeAttempt(w.student, attempt.id);
    const tooMuch = await w.teacher.client.post(path, { score: 5.5 });
    expect(tooMuch.status).toBe(400);
    expect(issuePaths(tooMuch)).toEqual(['body.score']);
    expect((await w.teacher.client.post(path, { score: 4, isCorrect: true })).status).toBe(400);
    const graded = expectStatus(
      await w.teacher.client.post(path, { score: 4, feedback: 'Good' }),
      200,
    );
    expect(graded).toMatchObject({
      id: shortAnswer.id,
      text: 'Two twos',
      score: 4,
      feedback: 'Good',
    });
    // Feedback left out keeps the earlier one.
    const regraded = expectStatus(await w.teacher.client.post(path, { score: 5 }), 200);
    expect(regraded).toMatchObject({ score: 5, feedback: 'Good' });
    const seen = await answersOf(w.student, attempt.id);
    expect(seen.find((a) => a.id === shortAnswer.id)).toEqual(regraded);
  });

  it('refuses to grade an MCQ with an answer key by hand (409)', async () => {
    const w = await world();
    const { attempt, mcqAnswer } = await answeredAttempt(w);
    await completeAttempt(w.student, attempt.id);
    const reply = await w.teacher.client.post(`/api/answers/${mcqAnswer.id}/grade`, { score: 0 });
    expect(reply.status).toBe(409);
    const answers = await answersOf(w.teacher, attempt.id);
    expect(answers.find((a) => a.id === mcqAnswer.id)).toMatchObject({ score: 2, isCorrect: true });
  });
});

// ---------------------------------------------------------------------------------------------

describe('authorization matrix: refused callers get 403 or 404 and change nothing', () => {
  it('GET /api/tests/:id', async () => {
    const w = await world();
    const get = (actor: Actor, id: number) => () => actor.client.get(`/api/tests/${id}`);
    await expectRefused(
      [
        ['another teacher', 404, get(w.otherTeacher, w.published.id)],
        ['a student of another class', 404, get(w.outsider, w.published.id)],
        ['a student on a draft', 404, get(w.student, w.draft.id)],
      ],
      async () => [
        (await w.teacher.client.get(`/api/tests/${w.published.id}`)).body,
        (await w.teacher.client.get(`/api/tests/${w.draft.id}`)).body,
      ],
    );
  });

  it('PATCH /api/tests/:id', async () => {
    const w = await world();
    const change = { title: 'Hijacked', status: 'draft' };
    const edit = (actor: Actor, id: number) => () => patch(actor, `/api/tests/${id}`, change);
    await expectRefused(
      [
        ['another teacher', 404, edit(w.otherTeacher, w.published.id)],
        ['a student of another class', 404, edit(w.outsider, w.published.id)],
        ['a student of the class', 403, edit(w.student, w.published.id)],
        ['a student on a draft', 404, edit(w.student, w.draft.id)],
      ],
      async () => [
        (await w.teacher.client.get(`/api/tests/${w.published.id}`)).body,
        (await w.teacher.client.get(`/api/tests/${w.draft.id}`)).body,
      ],
    );
  });

  it('POST /api/questions', async () => {
    const w = await world();
    const add = (actor: Actor, testId: number) => () =>
      actor.client.post('/api/questions', shortBody(testId));
    await expectRefused(
      [
        ['another teacher', 404, add(w.otherTeacher, w.published.id)],
        ['a student of another class', 404, add(w.outsider, w.published.id)],
        ['a student of the class', 403, add(w.student, w.published.id)],
        ['a student on a draft', 404, add(w.student, w.draft.id)],
      ],
      async () => [
        (await w.teacher.client.get(`/api/tests/${w.published.id}/questions`)).body,
        (await w.teacher.client.get(`/api/tests/${w.draft.id}/questions`)).body,
      ],
    );
  });

  it('GET /api/tests/:testId/questions', async () => {
    const w = await world();
    const list = (actor: Actor, id: number) => () => actor.client.get(`/api/tests/${id}/questions`);
    await expectRefused(
      [
        ['another teacher', 404, list(w.otherTeacher, w.published.id)],
        ['a student of another class', 404, list(w.outsider, w.published.id)],
        ['a student on a draft', 404, list(w.student, w.draft.id)],
      ],
      async () => (await w.teacher.client.get(`/api/tests/${w.published.id}/questions`)).body,
    );
  });

  it('PATCH /api/test-attempts/:id', async () => {
    const w = await world();
    const attempt = await startAttempt(w.student, w.published.id);
    const path = `/api/test-attempts/${attempt.id}`;
    const complete = (actor: Actor) => () => patch(actor, path, { status: 'completed' });
    const evaluate = (actor: Actor) => () => patch(actor, path, { status: 'evaluated', score: 1 });
    await expectRefused(
      [
        ['another student of the class', 404, complete(w.classmate)],
        ['a student of another class', 404, complete(w.outsider)],
        ['another teacher', 404, evaluate(w.otherTeacher)],
        ['the owner teacher completing', 403, complete(w.teacher)],
        ['the student evaluating', 403, evaluate(w.student)],
      ],
      // Still in progress: a second attempt is refused and the student's answer is accepted.
      async () => [
        (await w.student.client.post('/api/test-attempts', { testId: w.published.id })).status,
        (await submit(w.student, { attemptId: attempt.id, questionId: w.short.id, text: 'a' }))
          .status,
      ],
    );
    await completeAttempt(w.student, attempt.id);
    await expectRefused(
      [
        ['another teacher', 404, evaluate(w.otherTeacher)],
        ['the student evaluating', 403, evaluate(w.student)],
        ['another student of the class', 404, evaluate(w.classmate)],
      ],
      async () => (await answersOf(w.teacher, attempt.id)).length,
    );
    // Still completed and unscored: the owner's evaluation applies (it needs `completed`).
    const evaluated = expectStatus(
      await patch(w.teacher, path, { status: 'evaluated', score: 3 }),
      200,
    );
    expect(evaluated.score).toBe(3);
  });

  it('POST /api/answers', async () => {
    const w = await world();
    const { attempt } = await answeredAttempt(w);
    const answer = (actor: Actor) => () =>
      submit(actor, { attemptId: attempt.id, questionId: w.mcq.id, selectedOption: 0 });
    await expectRefused(
      [
        ['another student of the class', 404, answer(w.classmate)],
        ['a student of another class', 404, answer(w.outsider)],
        ['another teacher', 404, answer(w.otherTeacher)],
        ['the owner teacher', 403, answer(w.teacher)],
      ],
      () => answersOf(w.teacher, attempt.id),
    );
  });

  it('GET /api/test-attempts/:id/answers', async () => {
    const w = await world();
    const { attempt } = await answeredAttempt(w);
    const list = (actor: Actor) => () =>
      actor.client.get(`/api/test-attempts/${attempt.id}/answers`);
    await expectRefused(
      [
        ['another student of the class', 404, list(w.classmate)],
        ['a student of another class', 404, list(w.outsider)],
        ['another teacher', 404, list(w.otherTeacher)],
      ],
      () => answersOf(w.teacher, attempt.id),
    );
  });

  it('POST /api/answers/:id/grade', async () => {
    const w = await world();
    const { attempt, shortAnswer } = await answeredAttempt(w);
    await completeAttempt(w.student, attempt.id);
    const grade = (actor: Actor) => () =>
      actor.client.post(`/api/answers/${shortAnswer.id}/grade`, { score: 5, feedback: 'x' });
    await expectRefused(
      [
        ['the student who wrote it', 403, grade(w.student)],
        ['another student of the class', 404, grade(w.classmate)],
        ['a student of another class', 404, grade(w.outsider)],
        ['another teacher', 404, grade(w.otherTeacher)],
      ],
      () => answersOf(w.teacher, attempt.id),
    );
  });
});

describe('ids', () => {
  const BAD_IDS = ['abc', '0', '-1', '1e3', '01', '2147483648'];

  it.each(BAD_IDS)('refuses the path id %j with 400 on every route that takes one', async (bad) => {
    const teacher = await teacherAccount();
    const calls: [string, Promise<Reply>][] = [
      ['path.id', teacher.client.get(`/api/tests/${bad}`)],
      ['path.id', patch(teacher, `/api/tests/${bad}`, { title: 'x' })],
      ['path.testId', teacher.client.get(`/api/tests/${bad}/questions`)],
      ['path.id', patch(teacher, `/api/test-attempts/${bad}`, { status: 'completed' })],
      ['path.id', teacher.client.get(`/api/test-attempts/${bad}/answers`)],
      ['path.id', teacher.client.post(`/api/answers/${bad}/grade`, { score: 1 })],
    ];
    for (const [field, call] of calls) {
      const reply = await call;
      expect(reply.status, `${field} ${JSON.stringify(reply.body)}`).toBe(400);
      expect(issuePaths(reply)).toEqual([field]);
    }
  });

  it('refuses ids in bodies that are not positive integers with 400', async () => {
    const w = await world();
    for (const testId of [0, -1, 1.5, '1', 1e10, null]) {
      const reply = await w.student.client.post('/api/test-attempts', { testId });
      expect(reply.status, String(testId)).toBe(400);
      expect(issuePaths(reply)).toEqual(['body.testId']);
    }
    const attempt = await startAttempt(w.student, w.published.id);
    const answer = await submit(w.student, { attemptId: attempt.id, questionId: '1' });
    expect(answer.status).toBe(400);
    const question = await w.teacher.client.post('/api/questions', shortBody(0));
    expect(question.status).toBe(400);
  });
});
