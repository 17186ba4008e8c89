/** Test assignments through serverless-offline, with who-may-do-what for each route. */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { type Actor, actor, type Row, teacherAccount } from '../helpers/actors';
import { Client, newUser, uniqueName } from '../helpers/http-client';

const patch = (a: Actor, path: string, body: unknown) => a.client.request('PATCH', path, body);

const className = uniqueName('c').slice(0, 20);
const DAY = 24 * 3_600_000;
const due = new Date(Date.now() + 7 * DAY).toISOString();
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString();

/** Runs the scheduled mark-overdue function once, the way EventBridge would. */
async function runMarkOverdue(): Promise<Row> {
  const response = await fetch(
    `${inject('offlineLambdaUrl')}/2015-03-31/functions/plp-backend-dev-mark-overdue-assignments/invocations`,
    { method: 'POST', body: JSON.stringify({ source: 'aws.events' }) },
  );
  expect(response.status).toBe(200);
  return (await response.json()) as Row;
}

async function createTest(owner: Actor, cls: string, status: string): Promise<number> {
  const reply = await owner.client.post('/api/tests', {
    title: `Test ${status}`,
    subject: 'Maths',
    class: cls,
    testDate: due,
    status,
  });
  expect(reply.status).toBe(201);
  return (reply.body as { id: number }).id;
}

let teacher: Actor;
let otherTeacher: Actor;
let ann: Actor;
let ben: Actor;
let stranger: Actor;
let testId: number;

beforeAll(async () => {
  [teacher, otherTeacher] = await Promise.all([teacherAccount(), teacherAccount()]);
  [ann, ben, stranger] = await Promise.all([
    actor({ class: className }),
    actor({ class: className }),
    actor({ class: `${className}x` }),
  ]);
  const test = await teacher.client.post('/api/tests', {
    title: 'Fractions',
    subject: 'Maths',
    class: className,
    testDate: due,
    status: 'published',
  });
  expect(test.status).toBe(201);
  testId = (test.body as { id: number }).id;
});

describe('assignments', () => {
  it('assigns a whole class; assigning again moves the due date, not a second assignment', async () => {
    const first = await teacher.client.post(`/api/tests/${testId}/assignments`, {
      class: className,
      dueDate: due,
    });
    expect(first.status).toBe(201);
    const rows = first.body as Row[];
    expect(rows.map((r) => r.studentId).sort()).toEqual([ann.id, ben.id].sort((a, b) => a - b));
    expect(rows.every((r) => r.status === 'pending' && r.assignedBy === teacher.id)).toBe(true);
    const later = new Date(Date.now() + 14 * 24 * 3_600_000).toISOString();
    const again = await teacher.client.post(`/api/tests/${testId}/assignments`, {
      studentIds: [ann.id],
      dueDate: later,
    });
    expect(again.status).toBe(201);
    const [moved] = again.body as Row[];
    expect(moved?.id).toBe(rows.find((r) => r.studentId === ann.id)?.id);
    expect(moved?.dueDate).toBe(later);
  });

  it('refuses other teachers (404), students (403) and ids that are not students (400)', async () => {
    const body = { studentIds: [stranger.id], dueDate: due };
    expect((await otherTeacher.client.post(`/api/tests/${testId}/assignments`, body)).status).toBe(
      404,
    );
    expect((await ann.client.post(`/api/tests/${testId}/assignments`, body)).status).toBe(403);
    expect(
      (
        await teacher.client.post(`/api/tests/${testId}/assignments`, {
          studentIds: [otherTeacher.id],
          dueDate: due,
        })
      ).status,
    ).toBe(400);
    expect(
      (await teacher.client.post(`/api/tests/${testId}/assignments`, { dueDate: due })).status,
    ).toBe(400);
    expect(
      (
        await teacher.client.post(`/api/tests/${testId}/assignments`, {
          class: className,
          studentIds: [ann.id],
          dueDate: due,
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await teacher.client.post(`/api/tests/${testId}/assignments`, {
          class: className,
          dueDate: 'next week',
        })
      ).status,
    ).toBe(400);
    const strangers = (await stranger.client.get('/api/assignments')).body as Row[];
    expect(strangers).toEqual([]);
  });

  it('lists a student’s own and a teacher’s assigned ones, with filters', async () => {
    const mine = (await ann.client.get('/api/assignments')).body as Row[];
    expect(mine.map((r) => r.studentId)).toEqual([ann.id]);
    const assigned = (await teacher.client.get(`/api/assignments?testId=${testId}`)).body as Row[];
    expect(assigned.map((r) => r.studentId).sort()).toEqual([ann.id, ben.id].sort((a, b) => a - b));
    expect((await otherTeacher.client.get('/api/assignments')).body).toEqual([]);
    expect((await ann.client.get('/api/assignments?status=completed')).body).toEqual([]);
    expect((await ann.client.get('/api/assignments?status=late')).status).toBe(400);
  });

  it('lets the student move the status and the teacher move the due date, nobody else', async () => {
    const [benAssignment] = (await ben.client.get('/api/assignments')).body as Row[];
    const path = `/api/assignments/${benAssignment?.id}`;
    expect((await patch(ann, path, { status: 'started' })).status).toBe(404);
    expect((await patch(otherTeacher, path, { dueDate: due })).status).toBe(404);
    expect((await patch(ben, path, { dueDate: due })).status).toBe(403);
    expect((await patch(teacher, path, { status: 'completed' })).status).toBe(403);
    expect((await patch(ben, path, { status: 'overdue' })).status).toBe(400);
    expect((await patch(ben, path, {})).status).toBe(400);
    const started = await patch(ben, path, { status: 'started' });
    expect(started.status).toBe(200);
    expect((started.body as Row).status).toBe('started');
    const newDue = new Date(Date.now() + 3 * 24 * 3_600_000).toISOString();
    const moved = await patch(teacher, path, { dueDate: newDue });
    expect((moved.body as Row).dueDate).toBe(newDue);
    expect(((await ben.client.get('/api/assignments')).body as Row[])[0]).toMatchObject({
      status: 'started',
      dueDate: newDue,
    });
  });

  it('refuses students outside the test’s class (400 naming them) and another class', async () => {
    const outside = await teacher.client.post(`/api/tests/${testId}/assignments`, {
      studentIds: [ann.id, stranger.id],
      dueDate: due,
    });
    expect(outside.status).toBe(400);
    expect((outside.body as Row).errors).toEqual([
      {
        path: 'body.studentIds',
        message: `not in the test's class (${className}): ${stranger.id}`,
      },
    ]);
    const otherClass = await teacher.client.post(`/api/tests/${testId}/assignments`, {
      class: `${className}x`,
      dueDate: due,
    });
    expect(otherClass.status).toBe(400);
    expect((otherClass.body as Row).errors).toEqual([
      { path: 'body.class', message: `must be the test's class (${className})` },
    ]);
    // Nothing was assigned to the stranger, who could not have opened the test.
    expect((await stranger.client.get('/api/assignments')).body).toEqual([]);
  });

  it('refuses to assign a draft or completed test (409), and assigns it once published', async () => {
    const draftId = await createTest(teacher, className, 'draft');
    const body = { studentIds: [ann.id], dueDate: due };
    const refused = await teacher.client.post(`/api/tests/${draftId}/assignments`, body);
    expect(refused.status).toBe(409);
    expect((refused.body as Row).message).toBe('The test is not open for attempts');
    const completedId = await createTest(teacher, className, 'completed');
    expect((await teacher.client.post(`/api/tests/${completedId}/assignments`, body)).status).toBe(
      409,
    );
    expect(
      ((await ann.client.get(`/api/assignments?testId=${draftId}`)).body as Row[]).length,
    ).toBe(0);
    const published = await teacher.client.request('PATCH', `/api/tests/${draftId}`, {
      status: 'published',
    });
    expect(published.status).toBe(200);
    expect((await teacher.client.post(`/api/tests/${draftId}/assignments`, body)).status).toBe(201);
    // The assigned student can open and start the test: the two rules agree.
    expect((await ann.client.get(`/api/tests/${draftId}`)).status).toBe(200);
    expect((await ann.client.post('/api/test-attempts', { testId: draftId })).status).toBe(201);
  });
});

describe('the assignment status machine through the API', () => {
  let machineTest: number;
  let cal: Actor;
  let dee: Actor;

  beforeAll(async () => {
    [cal, dee] = await Promise.all([actor({ class: className }), actor({ class: className })]);
    machineTest = await createTest(teacher, className, 'published');
  });

  const assignOne = async (who: Actor, dueDate: string) => {
    const reply = await teacher.client.post(`/api/tests/${machineTest}/assignments`, {
      studentIds: [who.id],
      dueDate,
    });
    expect(reply.status).toBe(201);
    return (reply.body as Row[])[0] as Row;
  };

  it('student: pending -> started -> completed; nothing leaves completed', async () => {
    const a = await assignOne(cal, inDays(3));
    const path = `/api/assignments/${a.id}`;
    expect((await patch(cal, path, { status: 'started' })).body).toMatchObject({
      status: 'started',
    });
    const again = await patch(cal, path, { status: 'started' });
    expect(again.status).toBe(409);
    expect((again.body as Row).message).toBe('The assignment is started; it cannot be started now');
    expect((await patch(cal, path, { status: 'completed' })).body).toMatchObject({
      status: 'completed',
    });
    expect((await patch(cal, path, { status: 'started' })).status).toBe(409);
    expect((await patch(cal, path, { status: 'completed' })).status).toBe(409);
    // The teacher may still move its due date, into the past too: it stays completed.
    const yesterday = inDays(-1);
    const moved = await patch(teacher, path, { dueDate: yesterday });
    expect(moved.body).toMatchObject({ status: 'completed', dueDate: yesterday });
    await runMarkOverdue();
    expect(
      ((await cal.client.get(`/api/assignments?testId=${machineTest}`)).body as Row[])[0],
    ).toMatchObject({
      status: 'completed',
    });
  });

  it('teacher: a past due date makes it overdue, a future one revives it; the student waits', async () => {
    const a = await assignOne(dee, inDays(3));
    const path = `/api/assignments/${a.id}`;
    expect((await patch(dee, path, { status: 'started' })).status).toBe(200);
    const late = await patch(teacher, path, { dueDate: inDays(-1) });
    expect(late.status).toBe(200);
    expect((late.body as Row).status).toBe('overdue');
    for (const status of ['started', 'completed']) {
      const refused = await patch(dee, path, { status });
      expect(refused.status).toBe(409);
      expect((refused.body as Row).message).toMatch(
        /overdue; it cannot be .* unless its teacher moves the due date/,
      );
    }
    // Wrong users change nothing: another student or teacher (404), each other's field (403).
    expect((await patch(cal, path, { status: 'completed' })).status).toBe(404);
    expect((await patch(otherTeacher, path, { dueDate: inDays(5) })).status).toBe(404);
    expect((await patch(dee, path, { dueDate: inDays(5) })).status).toBe(403);
    expect((await patch(teacher, path, { status: 'completed' })).status).toBe(403);
    expect((await patch(teacher, path, { status: 'completed', dueDate: inDays(5) })).status).toBe(
      403,
    );
    // The PATCH revives it as POST does: to started, since it had been started.
    const revived = await patch(teacher, path, { dueDate: inDays(5) });
    expect(revived.body).toMatchObject({ status: 'started' });
    expect((await patch(dee, path, { status: 'completed' })).body).toMatchObject({
      status: 'completed',
    });
  });

  it('the job makes past-due assignments overdue; POST again revives them to pending', async () => {
    const eve = await actor({ class: className });
    const soon = new Date(Date.now() + 1_500).toISOString();
    const a = await assignOne(eve, soon);
    expect(a.status).toBe('pending');
    await new Promise((resolve) => setTimeout(resolve, 1_600));
    expect((await runMarkOverdue()).updated).toBeGreaterThanOrEqual(1);
    const mine = async () => ((await eve.client.get('/api/assignments')).body as Row[])[0];
    expect(await mine()).toMatchObject({ id: a.id, status: 'overdue' });
    expect((await patch(eve, `/api/assignments/${a.id}`, { status: 'completed' })).status).toBe(
      409,
    );
    const later = inDays(2);
    const again = await assignOne(eve, later);
    expect(again).toMatchObject({ id: a.id, status: 'pending', dueDate: later });
    expect(await mine()).toMatchObject({ id: a.id, status: 'pending' });
  });
});

describe('a class of 500', () => {
  it('assigns the whole class once each, in one call, and again without duplicates', async () => {
    const big = uniqueName('big').slice(0, 20);
    const bigTeacher = await teacherAccount();
    // 500 students registered through the API, a few at a time.
    const ids: number[] = [];
    let started = performance.now();
    for (let i = 0; i < 500; i += 10) {
      const batch = await Promise.all(
        Array.from({ length: 10 }, async () => {
          const reply = await new Client().post('/api/auth/register', newUser({ class: big }));
          expect(reply.status).toBe(201);
          return (reply.body as { id: number }).id;
        }),
      );
      ids.push(...batch);
    }
    console.log(`registered 500 students in ${Math.round(performance.now() - started)} ms`);
    const bigTest = await createTest(bigTeacher, big, 'published');

    started = performance.now();
    const first = await bigTeacher.client.post(`/api/tests/${bigTest}/assignments`, {
      class: big,
      dueDate: due,
    });
    console.log(
      `POST assignments for a class of 500 (new): ${Math.round(performance.now() - started)} ms`,
    );
    expect(first.status).toBe(201);
    const rows = first.body as Row[];
    expect(rows.map((r) => r.studentId).sort()).toEqual([...ids].sort());
    expect(new Set(rows.map((r) => r.id)).size).toBe(500);

    const later = inDays(9);
    started = performance.now();
    const again = await bigTeacher.client.post(`/api/tests/${bigTest}/assignments`, {
      class: big,
      dueDate: later,
    });
    console.log(
      `POST assignments for a class of 500 (again): ${Math.round(performance.now() - started)} ms`,
    );
    expect(again.status).toBe(201);
    const listed = (await bigTeacher.client.get(`/api/assignments?testId=${bigTest}`))
      .body as Row[];
    expect(listed).toHaveLength(500);
    expect(new Set(listed.map((r) => r.studentId)).size).toBe(500);
    expect(listed.map((r) => r.id).sort()).toEqual(rows.map((r) => r.id).sort());
    expect(listed.every((r) => r.dueDate === later && r.status === 'pending')).toBe(true);
  }, 300_000);
});
