/** Test assignments through serverless-offline, with who-may-do-what for each route. */
import { beforeAll, describe, expect, it } from 'vitest';
import { type Actor, actor, type Row, teacherAccount } from '../helpers/actors';
import { uniqueName } from '../helpers/http-client';

const patch = (a: Actor, path: string, body: unknown) => a.client.request('PATCH', path, body);

const className = uniqueName('c').slice(0, 20);
const due = new Date(Date.now() + 7 * 24 * 3_600_000).toISOString();
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
});
