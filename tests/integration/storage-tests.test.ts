/** Tests and questions of mongoStorage (lib/storage/mongo/tests.ts) against the real engine. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeMongo } from '../../lib/db/mongo';
import type { NewTest } from '../../lib/storage/storage';
import { insertQuestionSchema, insertTestSchema, type Test } from '../../shared/schema';
import { useIsolatedEnv } from '../helpers/isolated-env';
import { expectNothingFound, HOSTILE, rawCollection, storage } from '../helpers/storage';

const TEST_KEYS = [
  'class',
  'createdAt',
  'description',
  'duration',
  'id',
  'maxAttempts',
  'questionTypes',
  'status',
  'subject',
  'teacherId',
  'testDate',
  'title',
  'totalMarks',
].sort();

const QUESTION_KEYS = [
  'aiRubric',
  'correctAnswer',
  'id',
  'marks',
  'options',
  'order',
  'testId',
  'text',
  'topic',
  'type',
].sort();

/** A NewTest as a handler builds it: the request body through insertTestSchema, plus the owner. */
function newTest(teacherId: number, body: Record<string, unknown> = {}): NewTest {
  const parsed = insertTestSchema.parse({
    title: 'Algebra basics',
    subject: 'Maths',
    class: '8A',
    testDate: '2030-05-01T09:00:00Z',
    ...body,
  });
  const { teacherId: _ignored, ...rest } = parsed;
  return { ...rest, teacherId };
}

describe('test and question storage', () => {
  beforeAll(() => useIsolatedEnv('storage-tests', { cassandra: false }));
  afterAll(closeMongo);

  describe('createTest / getTest', () => {
    it('applies the schema defaults: 100 marks, 60 minutes, draft, no question types', async () => {
      const test = await storage.createTest(newTest(7, { title: '  Defaults  ' }));
      expect(Object.keys(test).sort()).toEqual(TEST_KEYS);
      expect(test).toEqual({
        id: expect.any(Number),
        title: 'Defaults',
        description: null,
        subject: 'Maths',
        class: '8A',
        teacherId: 7,
        totalMarks: 100,
        duration: 60,
        testDate: new Date('2030-05-01T09:00:00Z'),
        questionTypes: [],
        status: 'draft',
        maxAttempts: 1,
        createdAt: expect.any(Date),
      });
      expect(await storage.getTest(test.id)).toEqual(test);
      const raw = await (await rawCollection('tests')).findOne({ id: test.id });
      expect(raw).toMatchObject({ totalMarks: 100, duration: 60, status: 'draft', teacherId: 7 });
      // A test stored before the attempt limit existed allows the default, one.
      await (await rawCollection('tests')).updateOne(
        { id: test.id },
        { $unset: { maxAttempts: '' } },
      );
      expect(await storage.getTest(test.id)).toEqual(test);
      expect(await storage.getTestsByIds([test.id, 999_999])).toEqual([test]);
      expect(await storage.getTestsByIds([])).toEqual([]);
    });

    it('keeps explicit values', async () => {
      const test = await storage.createTest(
        newTest(7, {
          description: 'Chapter 3',
          totalMarks: 40,
          duration: 90,
          status: 'published',
          questionTypes: ['mcq', 'long'],
          testDate: '2031-01-02',
        }),
      );
      expect(test).toMatchObject({
        description: 'Chapter 3',
        totalMarks: 40,
        duration: 90,
        status: 'published',
        questionTypes: ['mcq', 'long'],
        testDate: new Date('2031-01-02T00:00:00Z'),
      });
      expect(await storage.getTest(test.id)).toEqual(test);
    });

    it('answers undefined for an unknown id', async () => {
      expect(await storage.getTest(999_999)).toBeUndefined();
    });
  });

  describe('getTestsByTeacher', () => {
    const TEACHER = 101;
    let first: Test;
    let second: Test;
    let third: Test;

    beforeAll(async () => {
      first = await storage.createTest(newTest(TEACHER, { title: 'T1', status: 'published' }));
      second = await storage.createTest(newTest(TEACHER, { title: 'T2' }));
      third = await storage.createTest(newTest(TEACHER, { title: 'T3', status: 'published' }));
      await storage.createTest(newTest(TEACHER + 1, { title: 'Other teacher' }));
    });

    it("lists the teacher's tests newest first", async () => {
      const tests = await storage.getTestsByTeacher(TEACHER);
      expect(tests.map((t) => t.id)).toEqual([third.id, second.id, first.id]);
      expect(tests[0]).toEqual(third);
    });

    it('filters by status', async () => {
      expect((await storage.getTestsByTeacher(TEACHER, 'published')).map((t) => t.id)).toEqual([
        third.id,
        first.id,
      ]);
      expect((await storage.getTestsByTeacher(TEACHER, 'draft')).map((t) => t.id)).toEqual([
        second.id,
      ]);
      expect(await storage.getTestsByTeacher(TEACHER, 'completed')).toEqual([]);
      expect(await storage.getTestsByTeacher(999_999)).toEqual([]);
    });
  });

  describe('getTestsByClass', () => {
    const CLASS = '11C';
    let draft: Test;
    let published: Test;
    let completed: Test;

    beforeAll(async () => {
      draft = await storage.createTest(newTest(201, { class: CLASS, status: 'draft' }));
      published = await storage.createTest(newTest(201, { class: CLASS, status: 'published' }));
      completed = await storage.createTest(newTest(202, { class: CLASS, status: 'completed' }));
      await storage.createTest(newTest(201, { class: '11D', status: 'published' }));
    });

    it('leaves drafts out by default, newest first', async () => {
      const tests = await storage.getTestsByClass(CLASS);
      expect(tests.map((t) => t.id)).toEqual([completed.id, published.id]);
    });

    it('includes drafts when asked', async () => {
      const tests = await storage.getTestsByClass(CLASS, { includeDrafts: true });
      expect(tests.map((t) => t.id)).toEqual([completed.id, published.id, draft.id]);
    });

    it('filters by status', async () => {
      expect(
        (await storage.getTestsByClass(CLASS, { status: 'published' })).map((t) => t.id),
      ).toEqual([published.id]);
      expect(
        (await storage.getTestsByClass(CLASS, { status: 'draft', includeDrafts: true })).map(
          (t) => t.id,
        ),
      ).toEqual([draft.id]);
      expect(await storage.getTestsByClass('No-Such-Class', { includeDrafts: true })).toEqual([]);
    });
  });

  describe('updateTest', () => {
    it('changes only the given fields', async () => {
      const test = await storage.createTest(newTest(301, { description: 'Before' }));
      const updated = await storage.updateTest(test.id, { title: 'After', status: 'published' });
      expect(updated).toEqual({ ...test, title: 'After', status: 'published' });
      expect(await storage.getTest(test.id)).toEqual(updated);

      const cleared = await storage.updateTest(test.id, {
        description: null,
        duration: 45,
        testDate: new Date('2032-02-02T10:00:00Z'),
      });
      expect(cleared).toEqual({
        ...test,
        title: 'After',
        status: 'published',
        description: null,
        duration: 45,
        testDate: new Date('2032-02-02T10:00:00Z'),
      });
    });

    it('returns the test unchanged for an empty change (PATCH {} is a valid body)', async () => {
      const test = await storage.createTest(newTest(301, { title: 'Unchanged' }));
      expect(await storage.updateTest(test.id, {})).toEqual(test);
    });

    it('answers undefined for an unknown id and creates nothing', async () => {
      expect(await storage.updateTest(999_999, { title: 'Ghost' })).toBeUndefined();
      expect(await (await rawCollection('tests')).countDocuments({ title: 'Ghost' })).toBe(0);
    });
  });

  describe('questions', () => {
    let testId: number;

    beforeAll(async () => {
      testId = (await storage.createTest(newTest(401))).id;
    });

    it('createQuestion stores a parsed question and getQuestion reads it back', async () => {
      const question = await storage.createQuestion(
        insertQuestionSchema.parse({
          testId,
          type: 'mcq',
          text: ' What is 2 + 2? ',
          options: ['3', '4', '5'],
          correctAnswer: '1',
          order: 0,
          topic: 'arithmetic',
        }),
      );
      expect(Object.keys(question).sort()).toEqual(QUESTION_KEYS);
      expect(question).toEqual({
        id: expect.any(Number),
        testId,
        type: 'mcq',
        text: 'What is 2 + 2?',
        options: ['3', '4', '5'],
        correctAnswer: '1',
        marks: 1,
        order: 0,
        aiRubric: null,
        topic: 'arithmetic',
      });
      expect(await storage.getQuestion(question.id)).toEqual(question);
      expect(await storage.getQuestion(999_999)).toBeUndefined();
    });

    it('getQuestionsByTest sorts by order, then id, and only that test', async () => {
      const otherTestId = (await storage.createTest(newTest(401))).id;
      const make = (order: number, text: string, forTest = testId) =>
        storage.createQuestion(
          insertQuestionSchema.parse({ testId: forTest, type: 'short', text, order }),
        );
      const listTestId = (await storage.createTest(newTest(401))).id;
      const a = await make(2, 'a', listTestId);
      const b = await make(1, 'b', listTestId);
      const c = await make(2, 'c', listTestId);
      const d = await make(0, 'd', listTestId);
      const e = await make(1, 'e', listTestId);
      await make(0, 'other', otherTestId);
      const questions = await storage.getQuestionsByTest(listTestId);
      expect(questions.map((q) => q.text)).toEqual(['d', 'b', 'e', 'a', 'c']);
      expect(questions.map((q) => q.id)).toEqual([d.id, b.id, e.id, a.id, c.id]);
      expect(questions[0]).toEqual(d);
      expect(await storage.getQuestionsByTest(999_999)).toEqual([]);
    });
  });

  describe('operator objects where an id is expected', () => {
    beforeAll(async () => {
      await storage.createTest(newTest(501, { class: 'Inj', status: 'published' }));
    });

    it.each([
      ['getTest', () => storage.getTest(HOSTILE)],
      ['getTestsByTeacher', () => storage.getTestsByTeacher(HOSTILE)],
      ['getTestsByClass', () => storage.getTestsByClass(HOSTILE)],
      ['getQuestion', () => storage.getQuestion(HOSTILE)],
      ['getQuestionsByTest', () => storage.getQuestionsByTest(HOSTILE)],
    ])('%s finds nothing', async (_name, call) => {
      await expectNothingFound(call());
    });

    it('updateTest with a hostile id changes no test', async () => {
      await expectNothingFound(storage.updateTest(HOSTILE, { title: 'Pwned' }));
      expect(await (await rawCollection('tests')).countDocuments({ title: 'Pwned' })).toBe(0);
    });
  });
});
