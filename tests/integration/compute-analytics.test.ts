/**
 * The compute-analytics job against the real engine: what it writes, and that re-runs, incremental
 * runs, resumed runs and concurrent runs all end where one complete run ends.
 */
import mongoose from 'mongoose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handler } from '../../functions/jobs/compute-analytics';
import { type ComputeAnalyticsOptions, computeAnalytics } from '../../lib/analytics/compute-job';
import { closeMongo } from '../../lib/db/mongo';
import { analyticsJobStore } from '../../lib/storage';
import type { StudentFigures } from '../../lib/storage/analytics-job-store';
import { syncIndexesAt } from '../../lib/storage/mongo/indexes';
import { insertQuestionSchema, insertTestSchema } from '../../shared/schema';
import { useIsolatedEnv } from '../helpers/isolated-env';
import { expectNothingFound, HOSTILE, rawCollection, storage } from '../helpers/storage';

/** No settle delay: nothing else writes to this test's database while a run reads it. */
const run = (options: Partial<ComputeAnalyticsOptions> = {}) =>
  computeAnalytics({ store: analyticsJobStore, settleMs: 0, ...options });

async function makeTest(questions: { marks: number; topic: string | null; type?: 'short' }[]) {
  const test = await storage.createTest({
    ...insertTestSchema.parse({
      title: 'Forces',
      testDate: '2030-01-01T00:00:00Z',
      subject: 'Science',
      class: '7B',
      totalMarks: questions.reduce((sum, q) => sum + q.marks, 0),
    }),
    teacherId: 1,
  });
  const created = [];
  for (const [order, q] of questions.entries()) {
    created.push(
      await storage.createQuestion(
        insertQuestionSchema.parse({
          testId: test.id,
          type: q.type ?? 'short',
          text: `Question ${order + 1}`,
          marks: q.marks,
          order,
          topic: q.topic,
        }),
      ),
    );
  }
  return { test, questions: created };
}

/** A finished attempt: answers as [questionId, score or null (ungraded)]. */
async function finish(
  studentId: number,
  testId: number,
  answers: [number, number | null][],
  evaluatedScore?: number,
) {
  const attempt = await storage.createTestAttempt({ testId, studentId, maxAttempts: 10 });
  const saved = [];
  for (const [questionId, score] of answers) {
    saved.push(await storage.upsertAnswer({ attemptId: attempt.id, questionId, text: 'x', score }));
  }
  await storage.updateTestAttempt(attempt.id, {
    status: 'completed',
    from: ['in_progress'],
    endTime: new Date(),
  });
  if (evaluatedScore !== undefined) {
    await storage.updateTestAttempt(attempt.id, { status: 'evaluated', score: evaluatedScore });
  }
  return { attempt, answers: saved };
}

/** Everything the job derives, as the routes see it, plus the raw rows (so no field is missed). */
async function derived(testIds: number[]) {
  const perTest = [];
  for (const testId of testIds) {
    perTest.push({
      statistics: await storage.getTestStatistics(testId),
      students: await storage.getAnalyticsByTest(testId),
    });
  }
  const rows = await (await rawCollection('analytics')).find({}).sort({ _id: 1 }).toArray();
  return { perTest, rows };
}

async function forgetDerived() {
  for (const name of ['analytics', 'test_statistics', 'job_state']) {
    await (await rawCollection(name)).deleteMany({});
  }
}

describe('compute-analytics', () => {
  beforeAll(() => useIsolatedEnv('compute-analytics', { cassandra: false }));
  afterAll(closeMongo);

  describe('on a small class, by hand', () => {
    // gravity: 2 marks; friction: 4 marks; a question without a topic counts as its type.
    let testId: number;
    let q: number[];
    let bea: Awaited<ReturnType<typeof finish>>;

    beforeAll(async () => {
      await forgetDerived();
      const made = await makeTest([
        { marks: 2, topic: 'gravity' },
        { marks: 4, topic: 'friction' },
        { marks: 2, topic: null },
      ]);
      testId = made.test.id;
      q = made.questions.map((x) => x.id);
      // amir: 2/2 gravity, 1/4 friction, 2/2 short → 5/8 = 62.5 %
      await finish(101, testId, [
        [q[0] as number, 2],
        [q[1] as number, 1],
        [q[2] as number, 2],
      ]);
      // bea: 0/2 gravity, friction ungraded (left out), short unanswered → 0/4 = 0 %
      bea = await finish(102, testId, [
        [q[0] as number, 0],
        [q[1] as number, null],
      ]);
    });

    it('writes per-student figures and class statistics computed as the formulas say', async () => {
      const summary = await run();
      expect(summary).toMatchObject({ processed: 2, written: 2, skipped: 0, tests: 1 });
      expect(summary.complete).toBe(true);

      const [amir] = await storage.getAnalyticsByUser(101);
      expect(amir).toMatchObject({
        userId: 101,
        testId,
        scorePercentage: 62.5,
        topicAccuracy: { friction: 25, gravity: 100, short: 100 },
        weakTopics: ['friction'],
        strongTopics: ['gravity', 'short'],
        recommendedResources: ['/resources/topics/friction'],
      });
      const [beaRow] = await storage.getAnalyticsByUser(102);
      expect(beaRow).toMatchObject({
        attemptId: bea.attempt.id,
        scorePercentage: 0,
        topicAccuracy: { gravity: 0, short: 0 },
        weakTopics: ['gravity', 'short'],
      });
      // Each row's id is the attempt it was first computed from.
      expect(beaRow?.id).toBe(bea.attempt.id);

      expect(await storage.getTestStatistics(testId)).toEqual({
        testId,
        attempts: 2,
        mean: 31.3, // (62.5 + 0) / 2 = 31.25 → one decimal
        median: 31.3,
        p90: 62.5,
        min: 0,
        max: 62.5,
        histogram: [1, 0, 0, 0, 0, 0, 1, 0, 0, 0],
        // gravity 2/4 = 50; friction 1/4 (bea's is ungraded) = 25; short 2/4 = 50
        hardestQuestions: [
          { questionId: q[1], correctRate: 25 },
          { questionId: q[0], correctRate: 50 },
          { questionId: q[2], correctRate: 50 },
        ],
        asOf: expect.any(Date),
      });
    });

    it('changes nothing when run again, nor when everything is recomputed from scratch', async () => {
      const before = await derived([testId]);
      expect(await run()).toMatchObject({ processed: 0, written: 0, tests: 0 });
      expect(await derived([testId])).toEqual(before);

      await (await rawCollection('job_state')).deleteMany({});
      expect(await run()).toMatchObject({ processed: 2, written: 2, tests: 1 });
      expect(await derived([testId])).toEqual(before);

      await forgetDerived();
      expect(await run()).toMatchObject({ processed: 2, written: 2, tests: 1 });
      expect(await derived([testId])).toEqual(before);
    });

    it('stores the figures with attemptId and revision first, the order $max compares in', async () => {
      for (const row of (await derived([testId])).rows) {
        expect(Object.keys(row.current).slice(0, 2)).toEqual(['attemptId', 'revision']);
      }
    });

    it('picks up only what changed since: a graded answer, then a new student', async () => {
      const amirBefore = await storage.getAnalyticsByUser(101);
      const ungraded = bea.answers.find((a) => a.questionId === q[1]);
      await storage.updateAnswer(ungraded?.id as number, { score: 4 });
      expect(await run()).toMatchObject({ processed: 1, written: 1, tests: 1 });
      // bea: 0/2 + 4/4 + 0/2 = 4/8 = 50 %
      expect((await storage.getAnalyticsByUser(102))[0]).toMatchObject({
        scorePercentage: 50,
        topicAccuracy: { friction: 100, gravity: 0, short: 0 },
      });
      expect(await storage.getAnalyticsByUser(101)).toEqual(amirBefore);

      await finish(103, testId, [[q[0] as number, 1]], 6); // evaluated: 6 of 8 = 75 %
      expect(await run()).toMatchObject({ processed: 1, written: 1, tests: 1 });
      expect((await storage.getAnalyticsByUser(103))[0]?.scorePercentage).toBe(75);
      expect(await storage.getTestStatistics(testId)).toMatchObject({
        attempts: 3,
        min: 50,
        max: 75,
        median: 62.5,
      });
    });

    it("counts a student's latest attempt, even when an older one is graded afterwards", async () => {
      const older = await finish(104, testId, [[q[0] as number, 2]]);
      const newer = await finish(104, testId, [[q[0] as number, 0]]);
      await run();
      await storage.updateAnswer(older.answers[0]?.id as number, { score: 1 });
      expect(await run()).toMatchObject({ processed: 1 });
      const rows = await storage.getAnalyticsByUser(104);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ attemptId: newer.attempt.id, scorePercentage: 0 });
      // Named by the first attempt it was computed from, and kept.
      expect(rows[0]?.id).toBe(older.attempt.id);
    });

    it('recomputes finished attempts when their test gains a question', async () => {
      await run();
      await storage.createQuestion(
        insertQuestionSchema.parse({ testId, type: 'short', text: 'New', marks: 4, order: 9 }),
      );
      expect((await run()).processed).toBeGreaterThanOrEqual(3);
      // amir: 2/2 gravity, 1/4 friction, 2/2 short, 0/4 on the new question → 5/12 = 41.7 %
      expect((await storage.getAnalyticsByUser(101))[0]?.scorePercentage).toBe(41.7);
    });

    it('counts an answer that lands after its attempt was completed', async () => {
      const late = await finish(106, testId, [[q[0] as number, 0]]);
      await run();
      expect((await storage.getAnalyticsByUser(106))[0]?.topicAccuracy.gravity).toBe(0);
      // The moment between the status change and the seal (lib/storage/mongo/attempts.ts): an
      // answer accepted then is part of the result, so analytics must count it.
      await (await rawCollection('answers')).deleteOne({
        attemptId: late.attempt.id,
        sealed: true,
      });
      await storage.upsertAnswer({
        attemptId: late.attempt.id,
        questionId: q[0] as number,
        text: 'x',
        score: 2,
      });
      expect(await run()).toMatchObject({ processed: 1 });
      expect((await storage.getAnalyticsByUser(106))[0]?.topicAccuracy.gravity).toBe(100);
    });

    it('counts attempts from before the job existed once the index sync has stamped them', async () => {
      const legacy = await storage.createTestAttempt({ testId, studentId: 107, maxAttempts: 10 });
      const endTime = new Date('2025-06-01T10:00:00Z');
      const attempts = await rawCollection('testattempts');
      await attempts.updateOne(
        { id: legacy.id },
        {
          $set: { status: 'completed', activeKey: `closed:${legacy.id}`, endTime },
          $unset: { resultChangedAt: '', resultRevision: '' },
        },
      );
      await run();
      expect(await storage.getAnalyticsByUser(107)).toEqual([]); // invisible without the stamp
      await syncIndexesAt(process.env.MONGODB_URL as string);
      expect(await attempts.findOne({ id: legacy.id })).toMatchObject({
        resultChangedAt: endTime,
        resultRevision: 0,
      });
      // The watermark is past 2025 now: a run from scratch picks it up.
      await (await rawCollection('job_state')).deleteMany({});
      await run();
      expect(await storage.getAnalyticsByUser(107)).toMatchObject([
        { attemptId: legacy.id, insightDate: endTime },
      ]);
    });

    it('leaves a change younger than the settle delay for a later run', async () => {
      await finish(105, testId, [[q[0] as number, 2]]);
      expect(await run({ settleMs: 60_000 })).toMatchObject({ processed: 0 });
      expect(await storage.getAnalyticsByUser(105)).toEqual([]);
      const later = () => new Date(Date.now() + 61_000);
      expect(await run({ settleMs: 60_000, now: later })).toMatchObject({ processed: 1 });
      expect(await storage.getAnalyticsByUser(105)).toHaveLength(1);
    });

    it('finds nothing for operator objects where ids are expected', async () => {
      await expectNothingFound(storage.getAnalyticsByUser(HOSTILE));
      await expectNothingFound(storage.getAnalyticsByTest(HOSTILE));
      await expectNothingFound(storage.getTestStatistics(HOSTILE));
    });
  });

  describe('on many attempts over several tests', () => {
    const testIds: number[] = [];
    let oneRun: Awaited<ReturnType<typeof derived>>;

    beforeAll(async () => {
      // A clean slate: the counts below are exact.
      for (const name of ['tests', 'questions', 'testattempts', 'answers']) {
        await (await rawCollection(name)).deleteMany({});
      }
      await forgetDerived();
      for (let t = 0; t < 3; t += 1) {
        const { test, questions } = await makeTest([
          { marks: 2, topic: 'algebra' },
          { marks: 3, topic: `topic-${t}` },
        ]);
        testIds.push(test.id);
        for (let s = 0; s < 6; s += 1) {
          const [a, b] = questions.map((x) => x.id) as [number, number];
          await finish(200 + s, test.id, [
            [a, (s + t) % 3],
            [b, s % 2 === 0 ? s % 4 : null],
          ]);
        }
      }
      const summary = await run();
      expect(summary).toMatchObject({ processed: 18, written: 18, tests: 3, complete: true });
      oneRun = await derived(testIds);
    });

    beforeEach(forgetDerived);

    it("lists a student's analytics newest result first", async () => {
      await run();
      const listed = await storage.getAnalyticsByUser(200);
      // Tests were taken in creation order, so the newest result is the last test's.
      expect(listed.map((r) => r.testId)).toEqual([...testIds].reverse());
      const dates = listed.map((r) => r.insightDate.getTime());
      expect(dates).toEqual([...dates].sort((a, b) => b - a));
    });

    it('computes every attempt of a page even when the page holds more tests than it caches', async () => {
      const summary = await run({ maxCachedTests: 2, pageSize: 7 });
      expect(summary).toMatchObject({ processed: 18, written: 18, skipped: 0 });
      expect(await derived(testIds)).toEqual(oneRun);
    });

    it('resumes after a run that stopped early (time up) and ends where one run ends', async () => {
      let pages = 0;
      const stopped = await run({ pageSize: 4, shouldStop: () => pages++ >= 2 });
      expect(stopped).toMatchObject({ processed: 8, complete: false, tests: 0 });
      expect((await derived(testIds)).rows).toHaveLength(8);

      const resumed = await run({ pageSize: 4 });
      expect(resumed).toMatchObject({ processed: 10, complete: true, tests: 3 });
      expect(await derived(testIds)).toEqual(oneRun);
    });

    it('resumes when it stopped between the attempts and the statistics', async () => {
      let asked = 0;
      // 5 pages of 4 are read; the 6th question comes before the statistics.
      const stopped = await run({ pageSize: 4, shouldStop: () => asked++ >= 5 });
      expect(stopped).toMatchObject({ processed: 18, tests: 0, complete: false });
      expect(await run({ pageSize: 4 })).toMatchObject({ processed: 0, tests: 3 });
      expect(await derived(testIds)).toEqual(oneRun);
    });

    it('two concurrent runs give the same result as one', async () => {
      const summaries = await Promise.all([run({ pageSize: 3 }), run({ pageSize: 5 })]);
      for (const summary of summaries) expect(summary.complete).toBe(true);
      expect(await derived(testIds)).toEqual(oneRun);
      expect(await run()).toMatchObject({ processed: 0, tests: 0 });
    });

    it('runs as the scheduled Lambda, and stops there when its time is nearly out', async () => {
      const nearlyOut = { getRemainingTimeInMillis: () => 1_000, awsRequestId: 'r1' };
      expect(await handler({}, nearlyOut as never)).toMatchObject({
        processed: 0,
        written: 0,
        complete: false,
      });
      expect((await derived(testIds)).rows).toEqual([]);
      await run();
      expect(await derived(testIds)).toEqual(oneRun);
    });
  });

  it('closes its connection when run by serverless invoke local, so that command exits', async () => {
    process.env.IS_LOCAL = 'true';
    try {
      await handler({}, { getRemainingTimeInMillis: () => 60_000, awsRequestId: 'r2' } as never);
      expect(mongoose.connection.readyState).toBe(mongoose.ConnectionStates.disconnected);
    } finally {
      delete process.env.IS_LOCAL;
    }
    // The next call connects again, as a new invocation would.
    expect(await storage.getAnalyticsByUser(1)).toEqual([]);
  });

  describe('newest-wins writes', () => {
    beforeEach(forgetDerived);

    const figures = (attemptId: number, revision: number, score: number): StudentFigures => ({
      attemptId,
      revision,
      insightDate: new Date(Date.UTC(2030, 0, 1, 0, 0, revision)),
      scorePercentage: score,
      topicAccuracy: { 'a.b$c': score },
      weakTopics: [],
      strongTopics: [],
      recommendedResources: [],
      questionScores: [],
    });

    it('keep the newest revision of the newest attempt whatever order writes arrive in', async () => {
      // The newest figures have the lowest score: a comparison on anything but (attempt,
      // revision) would keep another one.
      const writes = [figures(7, 2, 80), figures(9, 0, 90), figures(7, 5, 95), figures(9, 1, 11)];
      for (const order of [writes, [...writes].reverse()]) {
        await forgetDerived();
        for (const f of order) {
          await analyticsJobStore.writeStudentFigures([{ userId: 1, testId: 2, figures: f }]);
        }
        const [row] = await storage.getAnalyticsByTest(2);
        expect(row).toMatchObject({ attemptId: 9, scorePercentage: 11, id: 7 });
        // Topics may contain '.' and '$': stored as data, not as field names.
        expect(row?.topicAccuracy).toEqual({ 'a.b$c': 11 });
      }
      // All in one batch, twice the same key: the same result.
      await forgetDerived();
      await analyticsJobStore.writeStudentFigures(
        writes.map((f) => ({ userId: 1, testId: 2, figures: f })),
      );
      expect(await storage.getAnalyticsByTest(2)).toMatchObject([
        { attemptId: 9, scorePercentage: 11, id: 7 },
      ]);
    });

    it('never moves the watermark back', async () => {
      const at = (iso: string, attemptId: number) => ({ changedAt: new Date(iso), attemptId });
      await analyticsJobStore.advanceWatermark(at('2030-01-01T00:00:00Z', 5));
      await analyticsJobStore.advanceWatermark(at('2029-12-31T00:00:00Z', 99));
      await analyticsJobStore.advanceWatermark(at('2030-01-01T00:00:00Z', 4));
      expect(await analyticsJobStore.getWatermark()).toEqual(at('2030-01-01T00:00:00Z', 5));
      await analyticsJobStore.advanceWatermark(at('2030-01-01T00:00:00Z', 6));
      expect(await analyticsJobStore.getWatermark()).toEqual(at('2030-01-01T00:00:00Z', 6));
    });

    it('statistics computed at an older version never replace newer ones', async () => {
      await analyticsJobStore.markTestsDirty([5, 5]);
      const [dirty] = await analyticsJobStore.dirtyTests(10);
      expect(dirty).toEqual({ testId: 5, version: 1 });
      const stats = (version: number, attempts: number) =>
        analyticsJobStore.writeTestStatistics(version, {
          testId: 5,
          attempts,
          mean: null,
          median: null,
          p90: null,
          min: null,
          max: null,
          histogram: [],
          hardestQuestions: [],
          asOf: null,
        });
      await analyticsJobStore.markTestsDirty([5]); // a row changed after version 1 was read
      await stats(1, 10);
      expect(await analyticsJobStore.dirtyTests(10)).toEqual([{ testId: 5, version: 2 }]);
      await stats(2, 5);
      await stats(1, 10); // a slow run arriving late, with a larger count
      expect(await storage.getTestStatistics(5)).toMatchObject({ attempts: 5 });
      expect(await analyticsJobStore.dirtyTests(10)).toEqual([]);
    });
  });
});
