/**
 * Analytics through serverless-offline: students finish attempts, a teacher grades, the scheduled
 * compute-analytics function runs (through the offline Lambda Invoke API, as a schedule would run
 * it), and the two read routes answer, each tried as every wrong user.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type Actor, actor, type Row, teacherAccount } from '../helpers/actors';
import { runComputeAnalytics } from '../helpers/analytics-job';
import { Client, uniqueName } from '../helpers/http-client';

const className = uniqueName('an').slice(0, 20);
let teacher: Actor;
let otherTeacher: Actor;
let ann: Actor;
let ben: Actor;
let outsider: Actor;
let testId: number;
let draftId: number;
let mcqId: number;
let shortId: number;

async function createTest(owner: Actor, title: string, status: string): Promise<number> {
  const reply = await owner.client.post('/api/tests', {
    title,
    subject: 'Science',
    class: className,
    testDate: new Date().toISOString(),
    totalMarks: 6,
    status,
  });
  expect(reply.status).toBe(201);
  return (reply.body as { id: number }).id;
}

async function addQuestion(body: Row): Promise<number> {
  const reply = await teacher.client.post('/api/questions', { testId, ...body });
  expect(reply.status).toBe(201);
  return (reply.body as { id: number }).id;
}

/** Starts, answers and completes an attempt; answers as [questionId, body]. */
async function takeTest(student: Actor, answers: [number, Row][]): Promise<number> {
  const attempt = await student.client.post('/api/test-attempts', { testId });
  expect(attempt.status).toBe(201);
  const attemptId = (attempt.body as { id: number }).id;
  for (const [questionId, body] of answers) {
    const reply = await student.client.post('/api/answers', { attemptId, questionId, ...body });
    expect(reply.status).toBe(201);
  }
  const done = await student.client.request('PATCH', `/api/test-attempts/${attemptId}`, {
    status: 'completed',
  });
  expect(done.status).toBe(200);
  return attemptId;
}

beforeAll(async () => {
  [teacher, otherTeacher] = await Promise.all([teacherAccount(), teacherAccount()]);
  [ann, ben, outsider] = await Promise.all([
    actor({ class: className }),
    actor({ class: className }),
    actor({ class: `${className}x` }),
  ]);
  testId = await createTest(teacher, 'Forces', 'published');
  draftId = await createTest(teacher, 'Draft', 'draft');
  // 2 marks of gravity (MCQ, graded by the server) and 4 of friction (graded by the teacher).
  mcqId = await addQuestion({
    type: 'mcq',
    text: 'Which falls faster in a vacuum?',
    options: ['the feather', 'the hammer', 'neither'],
    correctAnswer: '2',
    marks: 2,
    order: 1,
    topic: 'gravity',
  });
  shortId = await addQuestion({
    type: 'short',
    text: 'What slows a sliding box?',
    marks: 4,
    order: 2,
    topic: 'friction',
  });
});

describe('analytics', () => {
  it('has nothing to show before the job has counted anything', async () => {
    expect((await ann.client.get('/api/analytics/me')).body).toEqual([]);
    const empty = await teacher.client.get(`/api/tests/${testId}/analytics`);
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({ statistics: null, students: [] });
  });

  it('shows each student their figures and the owner the class, once the job has run', async () => {
    const annAttempt = await takeTest(ann, [
      [mcqId, { selectedOption: 2 }],
      [shortId, { text: 'friction' }],
    ]);
    await takeTest(ben, [[mcqId, { selectedOption: 0 }]]);
    const answers = (await teacher.client.get(`/api/test-attempts/${annAttempt}/answers`))
      .body as Row[];
    const short = answers.find((a) => a.questionId === shortId);
    const graded = await teacher.client.post(`/api/answers/${short?.id}/grade`, { score: 1 });
    expect(graded.status).toBe(200);

    const summary = await runComputeAnalytics();
    expect(summary).toMatchObject({ complete: true });
    expect(summary.written).toBeGreaterThanOrEqual(2);

    // ann: gravity 2/2, friction 1/4 → 3/6 = 50 %.
    const mine = await ann.client.get('/api/analytics/me');
    expect(mine.status).toBe(200);
    expect(mine.body).toEqual([
      {
        id: annAttempt,
        userId: ann.id,
        testId,
        attemptId: annAttempt,
        scorePercentage: 50,
        topicAccuracy: { friction: 25, gravity: 100 },
        weakTopics: ['friction'],
        strongTopics: ['gravity'],
        recommendedResources: ['/resources/topics/friction'],
        insightDate: expect.any(String),
      },
    ]);

    // ben: gravity 0/2, friction unanswered 0/4 → 0 %.
    const forTeacher = await teacher.client.get(`/api/tests/${testId}/analytics`);
    expect(forTeacher.status).toBe(200);
    const { statistics, students } = forTeacher.body as { statistics: Row; students: Row[] };
    expect(students.map((s) => [s.userId, s.scorePercentage])).toEqual(
      [
        [ann.id, 50],
        [ben.id, 0],
      ].sort((a, b) => (a[0] as number) - (b[0] as number)),
    );
    expect(statistics).toMatchObject({
      testId,
      attempts: 2,
      mean: 25,
      median: 25,
      min: 0,
      max: 50,
      histogram: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0],
      hardestQuestions: [
        { questionId: shortId, correctRate: 12.5 },
        { questionId: mcqId, correctRate: 50 },
      ],
    });
  });

  it('answers a student their own analytics only, and a teacher none of their own', async () => {
    const bens = (await ben.client.get('/api/analytics/me')).body as Row[];
    expect(bens.map((r) => r.userId)).toEqual([ben.id]);
    expect((await teacher.client.get('/api/analytics/me')).status).toBe(403);
    expect((await new Client().get('/api/analytics/me')).status).toBe(401);
    expect((await ann.client.get('/api/analytics/me?userId=1')).status).toBe(400);
  });

  it('shows a test’s analytics to its owner only', async () => {
    const path = `/api/tests/${testId}/analytics`;
    expect((await otherTeacher.client.get(path)).status).toBe(404);
    expect((await ann.client.get(path)).status).toBe(403); // may read the test, not its class
    expect((await outsider.client.get(path)).status).toBe(404);
    expect((await new Client().get(path)).status).toBe(401);
    expect((await ann.client.get(`/api/tests/${draftId}/analytics`)).status).toBe(404);
    expect((await teacher.client.get('/api/tests/99999999/analytics')).status).toBe(404);
    expect((await teacher.client.get('/api/tests/abc/analytics')).status).toBe(400);
    expect((await teacher.client.get(`${path}?all=1`)).status).toBe(400);
  });
});
