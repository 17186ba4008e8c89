/** Test attempts and answers of mongoStorage (lib/storage/mongo/attempts.ts) against the real engine. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerTarget } from '../../lib/authz/tests';
import { closeMongo } from '../../lib/db/mongo';
import { toHttpError } from '../../lib/http/middleware/error-mapper';
import { StorageConflictError } from '../../lib/storage/errors';
import { syncIndexesAt } from '../../lib/storage/mongo/indexes';
import { attemptActiveKey } from '../../shared/mongo-schema';
import { MAX_ANSWER_WRITES_PER_ATTEMPT } from '../../shared/schema';
import { useIsolatedEnv } from '../helpers/isolated-env';
import {
  expectConflict,
  expectNothingFound,
  fulfilled,
  HOSTILE,
  inParallel,
  outcome,
  rawCollection,
  rejected,
  storage,
} from '../helpers/storage';

const ATTEMPT_KEYS = ['endTime', 'id', 'score', 'startTime', 'status', 'studentId', 'testId'];
const ANSWER_KEYS = [
  'aiConfidence',
  'aiFeedback',
  'attemptId',
  'feedback',
  'id',
  'imageUrl',
  'isCorrect',
  'ocrText',
  'questionId',
  'score',
  'selectedOption',
  'text',
];

describe('attempt and answer storage', () => {
  beforeAll(() => useIsolatedEnv('storage-attempts', { cassandra: false }));
  afterAll(closeMongo);

  describe('createTestAttempt', () => {
    it('starts an attempt in progress', async () => {
      const before = Date.now();
      const attempt = await storage.createTestAttempt({
        testId: 10,
        studentId: 20,
        maxAttempts: 5,
      });
      expect(Object.keys(attempt).sort()).toEqual(ATTEMPT_KEYS);
      expect(attempt).toEqual({
        id: expect.any(Number),
        testId: 10,
        studentId: 20,
        startTime: expect.any(Date),
        endTime: null,
        score: null,
        status: 'in_progress',
      });
      expect(attempt.startTime.getTime()).toBeGreaterThanOrEqual(before - 1_000);
      expect(await storage.getTestAttempt(attempt.id)).toEqual(attempt);
      expect(await storage.getTestAttempt(999_999)).toBeUndefined();
    });

    it("refuses a second attempt in progress with StorageConflictError('attempt')", async () => {
      const first = await storage.createTestAttempt({ testId: 11, studentId: 21, maxAttempts: 5 });
      await expectConflict(
        storage.createTestAttempt({ testId: 11, studentId: 21, maxAttempts: 5 }),
        'attempt',
      );
      expect(await storage.getTestAttemptsByStudent(21, 11)).toEqual([first]);
      // Another student, or another test, is not a conflict.
      const otherStudent = await storage.createTestAttempt({
        testId: 11,
        studentId: 22,
        maxAttempts: 5,
      });
      const otherTest = await storage.createTestAttempt({
        testId: 12,
        studentId: 21,
        maxAttempts: 5,
      });
      expect(otherStudent.id).not.toBe(first.id);
      expect(otherTest.id).not.toBe(first.id);
    });

    it('allows a new attempt once the previous one is completed', async () => {
      const first = await storage.createTestAttempt({ testId: 13, studentId: 23, maxAttempts: 5 });
      const endTime = new Date('2030-01-01T10:30:00Z');
      const completed = await storage.updateTestAttempt(first.id, {
        status: 'completed',
        endTime,
      });
      expect(completed).toEqual({ ...first, status: 'completed', endTime });
      const second = await storage.createTestAttempt({ testId: 13, studentId: 23, maxAttempts: 5 });
      expect(second.id).not.toBe(first.id);
      expect(second.status).toBe('in_progress');
      expect((await storage.getTestAttemptsByStudent(23, 13)).map((a) => a.id)).toEqual([
        first.id,
        second.id,
      ]);
      // Re-opening the completed one would make two in progress.
      await expectConflict(
        storage.updateTestAttempt(first.id, { status: 'in_progress' }),
        'attempt',
      );
      expect((await storage.getTestAttempt(first.id))?.status).toBe('completed');
    });

    it('lets exactly one of 20 parallel starts for one (student, test) succeed', async () => {
      const { results, ms } = await inParallel(20, () =>
        storage.createTestAttempt({ testId: 14, studentId: 24, maxAttempts: 5 }),
      );
      console.log(`20 parallel createTestAttempt in ${ms} ms`);
      const winners = fulfilled(results);
      const losers = rejected(results);
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(19);
      for (const error of losers) {
        expect(error).toBeInstanceOf(StorageConflictError);
        expect((error as StorageConflictError).field).toBe('attempt');
      }
      expect(await storage.getTestAttemptsByStudent(24, 14)).toEqual(winners);
      const attempts = await rawCollection('testattempts');
      expect(await attempts.countDocuments({ studentId: 24, testId: 14 })).toBe(1);
    });
  });

  describe('attempt limit', () => {
    const complete = (id: number) =>
      storage.updateTestAttempt(id, { status: 'completed', from: ['in_progress'] });

    it('numbers attempts and refuses one past maxAttempts with StorageConflictError(attemptLimit)', async () => {
      const limit = { testId: 15, studentId: 25, maxAttempts: 2 };
      await complete((await storage.createTestAttempt(limit)).id);
      await complete((await storage.createTestAttempt(limit)).id);
      const attempts = await rawCollection('testattempts');
      const refused = storage.createTestAttempt(limit);
      await expect(refused).rejects.toMatchObject({
        name: 'StorageConflictError',
        field: 'attemptLimit',
        code: 'ATTEMPT_LIMIT_REACHED',
      });
      const numbers = await attempts
        .find({ studentId: 25, testId: 15 }, { sort: { attemptNumber: 1 } })
        .toArray();
      expect(numbers.map((a) => a.attemptNumber)).toEqual([1, 2]);
      // A higher limit (the teacher raised it) lets the next one through.
      expect(await storage.createTestAttempt({ ...limit, maxAttempts: 3 })).toMatchObject({
        status: 'in_progress',
      });
    });

    it('never exceeds maxAttempts when starts and completions race (10 rounds)', async () => {
      for (let round = 0; round < 10; round += 1) {
        const limit = { testId: 16, studentId: 1_000 + round, maxAttempts: 3 };
        const started: number[] = [];
        const refusals: unknown[] = [];
        // Eight workers start and complete as fast as they can until the limit stops them.
        await Promise.all(
          Array.from({ length: 8 }, async () => {
            for (;;) {
              const result = await outcome(storage.createTestAttempt(limit));
              if (result.ok) {
                started.push(result.value.id);
                await complete(result.value.id);
                continue;
              }
              refusals.push(result.error);
              if ((result.error as StorageConflictError).field === 'attemptLimit') return;
            }
          }),
        );
        expect(started).toHaveLength(3);
        for (const error of refusals) {
          expect(error).toBeInstanceOf(StorageConflictError);
          expect(['attempt', 'attemptLimit']).toContain((error as StorageConflictError).field);
        }
        expect(await storage.getTestAttemptsByStudent(limit.studentId, 16)).toHaveLength(3);
      }
    });
  });

  describe('listing and updating attempts', () => {
    it('getTestAttemptsByStudent lists oldest first', async () => {
      const a = await storage.createTestAttempt({ testId: 30, studentId: 40, maxAttempts: 5 });
      const b = await storage.createTestAttempt({ testId: 31, studentId: 40, maxAttempts: 5 });
      await storage.createTestAttempt({ testId: 30, studentId: 41, maxAttempts: 5 });
      expect((await storage.getTestAttemptsByStudent(40)).map((x) => x.id)).toEqual([a.id, b.id]);
      expect((await storage.getTestAttemptsByStudent(40, 31)).map((x) => x.id)).toEqual([b.id]);
      expect(await storage.getTestAttemptsByStudent(999_999)).toEqual([]);
    });

    it('applies a change only from the expected status (a late "completed" cannot undo an evaluation)', async () => {
      const attempt = await storage.createTestAttempt({
        testId: 61,
        studentId: 62,
        maxAttempts: 5,
      });
      await storage.updateTestAttempt(attempt.id, { status: 'completed', from: ['in_progress'] });
      await storage.updateTestAttempt(attempt.id, {
        status: 'evaluated',
        score: 7,
        from: ['completed'],
      });
      const late = storage.updateTestAttempt(attempt.id, {
        status: 'completed',
        endTime: new Date(0),
        from: ['in_progress'],
      });
      await expect(late).rejects.toMatchObject({ name: 'StorageConflictError', field: 'status' });
      expect(await storage.getTestAttempt(attempt.id)).toMatchObject({
        status: 'evaluated',
        score: 7,
      });
    });

    it('records an evaluation score; unknown id is undefined', async () => {
      const attempt = await storage.createTestAttempt({
        testId: 32,
        studentId: 42,
        maxAttempts: 5,
      });
      await storage.updateTestAttempt(attempt.id, { status: 'completed' });
      const evaluated = await storage.updateTestAttempt(attempt.id, {
        status: 'evaluated',
        score: 87.5,
      });
      expect(evaluated).toEqual({ ...attempt, status: 'evaluated', score: 87.5 });
      expect(await storage.getTestAttempt(attempt.id)).toEqual(evaluated);
      expect(await storage.updateTestAttempt(999_999, { status: 'completed' })).toBeUndefined();
    });
  });

  describe('answers', () => {
    let attemptId: number;

    beforeAll(async () => {
      attemptId = (await storage.createTestAttempt({ testId: 50, studentId: 60, maxAttempts: 5 }))
        .id;
    });

    it('upsertAnswer creates an answer with every field', async () => {
      const answer = await storage.upsertAnswer({
        attemptId,
        questionId: 1,
        selectedOption: 2,
        score: 1,
        isCorrect: true,
      });
      expect(Object.keys(answer).sort()).toEqual(ANSWER_KEYS);
      expect(answer).toEqual({
        id: expect.any(Number),
        attemptId,
        questionId: 1,
        text: null,
        selectedOption: 2,
        imageUrl: null,
        ocrText: null,
        score: 1,
        aiConfidence: null,
        aiFeedback: null,
        feedback: null,
        isCorrect: true,
      });
      expect(await storage.getAnswer(answer.id)).toEqual(answer);
      expect(await storage.getAnswer(999_999)).toBeUndefined();
    });

    it('upsertAnswer again replaces the answer in place and clears its grading', async () => {
      const first = await storage.upsertAnswer({ attemptId, questionId: 2, text: 'first try' });
      const graded = await storage.updateAnswer(first.id, {
        score: 3,
        feedback: 'good',
        isCorrect: true,
        aiFeedback: 'ok',
        aiConfidence: 0.9,
        ocrText: 'scan',
      });
      expect(graded).toEqual({
        ...first,
        score: 3,
        feedback: 'good',
        isCorrect: true,
        aiFeedback: 'ok',
        aiConfidence: 0.9,
        ocrText: 'scan',
      });
      const second = await storage.upsertAnswer({
        attemptId,
        questionId: 2,
        text: 'second try',
        imageUrl: 'https://cdn.example.com/work.png',
      });
      expect(second).toEqual({
        ...first,
        text: 'second try',
        imageUrl: 'https://cdn.example.com/work.png',
      });
      expect(second.id).toBe(first.id);
      expect(await storage.getAnswer(first.id)).toEqual(second);
      expect(
        (await storage.getAnswersByAttempt(attemptId)).filter((a) => a.questionId === 2),
      ).toEqual([second]);
      // Two versions stored, the newer current (see attempts.ts: rows are only ever inserted).
      const answers = await rawCollection('answers');
      expect(await answers.countDocuments({ attemptId, questionId: 2 })).toBe(2);
    });

    it('keeps exactly one answer per (attempt, question) under 20 parallel upserts', async () => {
      const texts = Array.from({ length: 20 }, (_, i) => `parallel answer ${i}`);
      const { results, ms } = await inParallel(20, (i) =>
        storage.upsertAnswer({ attemptId, questionId: 3, text: texts[i] }),
      );
      console.log(`20 parallel upsertAnswer in ${ms} ms`);
      expect(rejected(results)).toEqual([]);
      const saved = fulfilled(results);
      expect(saved).toHaveLength(20);
      expect(new Set(saved.map((a) => a.id)).size).toBe(1);
      const forQuestion = (await storage.getAnswersByAttempt(attemptId)).filter(
        (a) => a.questionId === 3,
      );
      expect(forQuestion).toHaveLength(1);
      expect(forQuestion[0]?.id).toBe(saved[0]?.id);
      expect(texts).toContain(forQuestion[0]?.text);
      // Every write is one version with its own seq; the current one is the highest.
      const versions = await (await rawCollection('answers'))
        .find({ attemptId, questionId: 3 }, { sort: { seq: -1 } })
        .toArray();
      expect(versions).toHaveLength(20);
      expect(new Set(versions.map((v) => v.seq)).size).toBe(20);
      expect(versions[0]?.text).toBe(forQuestion[0]?.text);
    });

    it('getAnswersByAttempt lists the attempt’s answers by question id only', async () => {
      const own = (await storage.createTestAttempt({ testId: 51, studentId: 61, maxAttempts: 5 }))
        .id;
      const other = (await storage.createTestAttempt({ testId: 51, studentId: 62, maxAttempts: 5 }))
        .id;
      const q9 = await storage.upsertAnswer({ attemptId: own, questionId: 9, text: 'nine' });
      const q4 = await storage.upsertAnswer({ attemptId: own, questionId: 4, text: 'four' });
      await storage.upsertAnswer({ attemptId: other, questionId: 4, text: 'not mine' });
      expect(await storage.getAnswersByAttempt(own)).toEqual([q4, q9]);
      expect(await storage.getAnswersByAttempt(999_999)).toEqual([]);
    });

    it('updateAnswer changes only the given fields; unknown id is undefined', async () => {
      const answer = await storage.upsertAnswer({ attemptId, questionId: 5, text: 'essay' });
      const updated = await storage.updateAnswer(answer.id, { score: 4.5, feedback: 'clear' });
      expect(updated).toEqual({ ...answer, score: 4.5, feedback: 'clear' });
      expect(await storage.getAnswer(answer.id)).toEqual(updated);
      expect(await storage.updateAnswer(999_999, { score: 1 })).toBeUndefined();
    });
  });

  describe('answers racing the completion of their attempt', () => {
    it('counts every accepted answer and refuses the rest with 409, nothing written after (20 rounds)', async () => {
      const QUESTIONS = 10;
      let accepted = 0;
      let refused = 0;
      for (let round = 0; round < 20; round += 1) {
        const { id: attemptId } = await storage.createTestAttempt({
          testId: 90,
          studentId: 3_000 + round,
          maxAttempts: 1,
        });
        // Questions 1..4 have an earlier answer: a refused re-answer must leave it as it was.
        for (const questionId of [1, 2, 3, 4]) {
          await storage.upsertAnswer({ attemptId, questionId, text: `before ${questionId}` });
        }
        const text = (questionId: number) => `round ${round} question ${questionId}`;
        // The completion starts once `wait` writes have settled: a different point of the
        // burst each round (writes to one attempt contend with each other too).
        const wait = round % 8;
        let settled = 0;
        let startCompletion = (): void => undefined;
        const completionMayStart = new Promise<void>((resolve) => {
          startCompletion = resolve;
        });
        if (wait === 0) startCompletion();
        const writes = Array.from({ length: QUESTIONS }, (_, index) =>
          outcome(
            storage.upsertAnswer({ attemptId, questionId: index + 1, text: text(index + 1) }),
          ).then((result) => {
            settled += 1;
            if (settled === wait) startCompletion();
            return result;
          }),
        );
        let fixed: unknown;
        const completion = completionMayStart.then(async () => {
          await storage.updateTestAttempt(attemptId, {
            status: 'completed',
            from: ['in_progress'],
          });
          fixed = await storage.getAnswersByAttempt(attemptId);
        });
        await completion;
        const results = await Promise.all(writes);
        const final = await storage.getAnswersByAttempt(attemptId);
        // Nothing changed once completion had returned: the result was fixed then.
        expect(final).toEqual(fixed);
        const finalText = new Map(final.map((a) => [a.questionId, a.text]));
        for (const [index, result] of results.entries()) {
          const questionId = index + 1;
          if (result.ok) {
            accepted += 1;
            expect(finalText.get(questionId), `round ${round} q${questionId}`).toBe(
              text(questionId),
            );
          } else {
            refused += 1;
            expect(result.error).toBeInstanceOf(StorageConflictError);
            expect(toHttpError(result.error)).toMatchObject({
              status: 409,
              code: 'ATTEMPT_NOT_IN_PROGRESS',
            });
            expect(finalText.get(questionId), `round ${round} q${questionId}`).toBe(
              questionId <= 4 ? `before ${questionId}` : undefined,
            );
          }
        }
        expect(final.every((a) => a.questionId >= 1 && a.questionId <= QUESTIONS)).toBe(true);
      }
      console.log(`answers racing completion: ${accepted} accepted, ${refused} refused`);
      // Both outcomes happened, so the rounds did race.
      expect(accepted).toBeGreaterThan(0);
      expect(refused).toBeGreaterThan(0);
    }, 180_000);

    it('keeps the seal out of every read, and refuses any answer after completion', async () => {
      const { id: attemptId } = await storage.createTestAttempt({
        testId: 91,
        studentId: 91,
        maxAttempts: 1,
      });
      const answer = await storage.upsertAnswer({ attemptId, questionId: 7, text: 'seven' });
      await storage.updateTestAttempt(attemptId, { status: 'completed', from: ['in_progress'] });
      await expectConflict(
        storage.upsertAnswer({ attemptId, questionId: 8, text: 'late' }),
        'attempt',
      );
      await expectConflict(
        storage.upsertAnswer({ attemptId, questionId: 7, text: 'late' }),
        'attempt',
      );
      expect(await storage.getAnswersByAttempt(attemptId)).toEqual([answer]);
      expect(await storage.getAnswer(answer.id)).toEqual(answer);
      expect(await storage.getAnswer(0)).toBeUndefined();
      expect(await storage.updateAnswer(0, { score: 1 })).toBeUndefined();
      const raw = await (await rawCollection('answers')).find({ attemptId }).toArray();
      expect(raw.map((row) => row.sealed ?? false)).toEqual([false, true]);
    });
  });

  describe('an attempt finished but never sealed (completion failed after the status change)', () => {
    /** An attempt with one answer, moved to `completed` the way a completion that failed
     * before its seal leaves it: the status changed, no seal row. */
    async function unsealedFinishedAttempt(studentId: number) {
      const attempt = await storage.createTestAttempt({ testId: 197, studentId, maxAttempts: 1 });
      const answer = await storage.upsertAnswer({
        attemptId: attempt.id,
        questionId: 1,
        text: 'on time',
      });
      await (await rawCollection('testattempts')).updateOne(
        { id: attempt.id },
        {
          $set: {
            status: 'completed',
            endTime: new Date(),
            activeKey: attemptActiveKey({ ...attempt, status: 'completed' }),
          },
        },
      );
      const seals = async () =>
        (await rawCollection('answers')).countDocuments({ attemptId: attempt.id, sealed: true });
      expect(await seals()).toBe(0);
      return { attemptId: attempt.id, answer, seals };
    }

    /** After healing: one seal, every answer write refused, the answers as they were. */
    async function expectSealed(
      { attemptId, seals }: Awaited<ReturnType<typeof unsealedFinishedAttempt>>,
      answers: unknown,
    ) {
      expect(await seals()).toBe(1);
      for (const questionId of [1, 2]) {
        await expectConflict(
          storage.upsertAnswer({ attemptId, questionId, text: 'too late' }),
          'attempt',
        );
      }
      expect(await storage.getAnswersByAttempt(attemptId)).toEqual(answers);
    }

    it('a retried completion (409) seals it', async () => {
      const left = await unsealedFinishedAttempt(197_001);
      await expectConflict(
        storage.updateTestAttempt(left.attemptId, { status: 'completed', from: ['in_progress'] }),
        'status',
      );
      await expectSealed(left, [left.answer]);
    });

    it('grading one of its answers seals it first', async () => {
      const left = await unsealedFinishedAttempt(197_002);
      const graded = await storage.updateAnswer(left.answer.id, { score: 3 });
      expect(graded).toMatchObject({ id: left.answer.id, score: 3 });
      await expectSealed(left, [graded]);
    });

    it('evaluating it seals it', async () => {
      const left = await unsealedFinishedAttempt(197_003);
      await storage.updateTestAttempt(left.attemptId, {
        status: 'evaluated',
        from: ['completed'],
        score: 5,
      });
      await expectSealed(left, [left.answer]);
    });

    it('an answer that authorization refuses (409) seals it', async () => {
      const left = await unsealedFinishedAttempt(197_006);
      const student = { userId: 197_006, role: 'student', sessionId: 'test' } as const;
      const refused = await outcome(answerTarget(student, left.attemptId, 1));
      expect(refused.ok).toBe(false);
      if (refused.ok) return;
      expect(toHttpError(refused.error)).toMatchObject({
        status: 409,
        code: 'ATTEMPT_NOT_IN_PROGRESS',
      });
      await expectSealed(left, [left.answer]);
    });

    it('sealFinishedAttempt seals it once, and leaves an attempt in progress open', async () => {
      const left = await unsealedFinishedAttempt(197_004);
      await storage.sealFinishedAttempt(left.attemptId);
      await storage.sealFinishedAttempt(left.attemptId);
      await expectSealed(left, [left.answer]);
      const open = await storage.createTestAttempt({
        testId: 197,
        studentId: 197_005,
        maxAttempts: 1,
      });
      await storage.sealFinishedAttempt(open.id);
      await storage.sealFinishedAttempt(999_999);
      expect(
        await storage.upsertAnswer({ attemptId: open.id, questionId: 1, text: 'open' }),
      ).toMatchObject({ text: 'open' });
    });
  });

  describe('the bound on answer writes per attempt', () => {
    it('refuses a write past MAX_ANSWER_WRITES_PER_ATTEMPT with 409 and writes nothing', async () => {
      const { id: attemptId } = await storage.createTestAttempt({
        testId: 196,
        studentId: 196,
        maxAttempts: 1,
      });
      const first = await storage.upsertAnswer({ attemptId, questionId: 1, text: 'first' });
      // The earlier re-answers, stored directly (fast): versions 2.. of question 1's answer.
      const answers = await rawCollection('answers');
      await answers.insertMany(
        Array.from({ length: MAX_ANSWER_WRITES_PER_ATTEMPT - 2 }, (_, index) => ({
          id: first.id,
          attemptId,
          questionId: 1,
          seq: index + 2,
          text: `version ${index + 2}`,
        })),
      );
      // The last write the bound allows is accepted, and keeps the answer's id.
      const last = await storage.upsertAnswer({ attemptId, questionId: 1, text: 'last' });
      expect(last.id).toBe(first.id);
      expect(await answers.countDocuments({ attemptId })).toBe(MAX_ANSWER_WRITES_PER_ATTEMPT);
      for (const questionId of [1, 2]) {
        const result = await outcome(
          storage.upsertAnswer({ attemptId, questionId, text: 'one too many' }),
        );
        expect(result.ok).toBe(false);
        if (result.ok) return;
        expect(result.error).toBeInstanceOf(StorageConflictError);
        expect(toHttpError(result.error)).toMatchObject({
          status: 409,
          code: 'ANSWER_LIMIT_REACHED',
        });
      }
      expect(await answers.countDocuments({ attemptId })).toBe(MAX_ANSWER_WRITES_PER_ATTEMPT);
      expect((await storage.getAnswersByAttempt(attemptId)).map((a) => a.text)).toEqual(['last']);
      // Completion is never refused by the bound: the seal goes above it.
      await storage.updateTestAttempt(attemptId, { status: 'completed', from: ['in_progress'] });
      expect(await answers.countDocuments({ attemptId, sealed: true })).toBe(1);
      await expectConflict(
        storage.upsertAnswer({ attemptId, questionId: 1, text: 'x' }),
        'attempt',
      );
    });
  });

  it('the index sync numbers attempts and answers stored before attemptNumber and seq', async () => {
    const attempts = await rawCollection('testattempts');
    const answers = await rawCollection('answers');
    const legacy = (id: number, startTime: string) => ({
      id,
      testId: 95,
      studentId: 95,
      startTime: new Date(startTime),
      status: 'completed',
      activeKey: `closed:${id}`,
    });
    // As in a database of before: without the unique indexes these fields now carry.
    await attempts.dropIndex('studentId_1_testId_1_attemptNumber_1');
    await answers.dropIndex('attemptId_1_seq_1');
    await attempts.insertMany([
      legacy(900_002, '2025-01-02T00:00:00Z'),
      legacy(900_001, '2025-01-01T00:00:00Z'),
    ]);
    await answers.insertOne({ id: 900_003, attemptId: 900_001, questionId: 44, text: 'old' });
    await syncIndexesAt(process.env.MONGODB_URL as string);
    const numbered = await attempts.find({ testId: 95 }, { sort: { attemptNumber: 1 } }).toArray();
    expect(numbered.map((a) => [a.id, a.attemptNumber])).toEqual([
      [900_001, 1],
      [900_002, 2],
    ]);
    expect(await answers.findOne({ id: 900_003 })).toMatchObject({ seq: 44 });
    // They count: one attempt left of 3, and the legacy answer reads as the current one.
    expect(
      await storage.createTestAttempt({ testId: 95, studentId: 95, maxAttempts: 3 }),
    ).toMatchObject({ status: 'in_progress' });
    expect(await storage.getAnswersByAttempt(900_001)).toMatchObject([
      { id: 900_003, text: 'old' },
    ]);
  });

  describe('operator objects where an id is expected', () => {
    let attemptId: number;

    beforeAll(async () => {
      attemptId = (await storage.createTestAttempt({ testId: 70, studentId: 80, maxAttempts: 5 }))
        .id;
    });

    it.each([
      ['getTestAttempt', () => storage.getTestAttempt(HOSTILE)],
      ['getTestAttemptsByStudent', () => storage.getTestAttemptsByStudent(HOSTILE)],
      ['getAnswer', () => storage.getAnswer(HOSTILE)],
      ['getAnswersByAttempt', () => storage.getAnswersByAttempt(HOSTILE)],
    ])('%s finds nothing', async (_name, call) => {
      await expectNothingFound(call());
    });

    it('updateTestAttempt with a hostile id changes no attempt', async () => {
      await expectNothingFound(storage.updateTestAttempt(HOSTILE, { status: 'completed' }));
      expect((await storage.getTestAttempt(attemptId))?.status).toBe('in_progress');
    });
  });
});
