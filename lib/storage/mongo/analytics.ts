/**
 * Analytics in MongoDB: the compute-analytics job's store and the read side of the routes.
 *
 * Every figure is written by `_id` alone, the one filter FerretDB 1.x (the local engine) serves
 * from an index, as a `$max` of an embedded document whose first fields are (attemptId, revision)
 * for a student's figures and (version) for a test's statistics. MongoDB compares embedded
 * documents field by field, so the stored figures are those of the newest attempt's newest
 * revision whatever order the writes arrive in: a re-run, a resumed run and two concurrent runs
 * all commute, with no read-then-write to race. (`$max` on one document is atomic on MongoDB;
 * FerretDB 1.x runs updates as a read then a write, so there concurrent runs are only as safe as
 * the engine: two overlapping runs there can lose a newer figure. Scheduled runs never overlap.)
 */
import { type mongo, trusted } from 'mongoose';
import {
  type AnalyticsDoc,
  AnalyticsModel,
  AnswerModel,
  type JobStateDoc,
  JobStateModel,
  QuestionModel,
  type StudentFiguresDoc,
  type TestAttemptDoc,
  TestAttemptModel,
  TestModel,
  type TestStatisticsDoc,
  TestStatisticsModel,
} from '../../../shared/mongo-schema';
import type { Analytics, TestStatistics } from '../../../shared/schema';
import { withMongo } from '../../db/mongo';
import type {
  AnalyticsJobStore,
  AnalyticsWatermark,
  StudentFigures,
  TestFacts,
} from '../analytics-job-store';
import type { AnalyticsStorage } from '../storage';
import { currentVersions, FINISHED_STATUSES } from './attempts';
import { duplicateKeyIndexes } from './duplicate-key';
import { insertNew } from './insert-new';
import { keysetPages } from './keyset';

const JOB_ID = 'compute-analytics';
const NO_ID = { _id: 0 } as const;
/** Retries of upserts that lost an insert race (the second try finds the winner's document). */
const UPSERT_RETRIES = 3;

export function analyticsKey(userId: number, testId: number): string {
  return `${userId}:${testId}`;
}

export function toAnalytics(
  doc: Pick<AnalyticsDoc, 'id' | 'userId' | 'testId' | 'current'>,
): Analytics {
  const { current } = doc;
  return {
    id: doc.id,
    userId: doc.userId,
    testId: doc.testId,
    attemptId: current.attemptId,
    scorePercentage: current.scorePercentage,
    topicAccuracy: Object.fromEntries(current.topicAccuracy.map((t) => [t.topic, t.accuracy])),
    weakTopics: current.weakTopics,
    strongTopics: current.strongTopics,
    recommendedResources: current.recommendedResources,
    insightDate: current.insightDate,
  };
}

/** The stored form; key order matters to `$max` (attemptId, then revision, decide). */
function toFiguresDoc(figures: StudentFigures): StudentFiguresDoc {
  return {
    attemptId: figures.attemptId,
    revision: figures.revision,
    insightDate: figures.insightDate,
    scorePercentage: figures.scorePercentage,
    topicAccuracy: Object.entries(figures.topicAccuracy).map(([topic, accuracy]) => ({
      topic,
      accuracy,
    })),
    weakTopics: figures.weakTopics,
    strongTopics: figures.strongTopics,
    recommendedResources: figures.recommendedResources,
    questionScores: figures.questionScores.map((q) => ({
      questionId: q.questionId,
      earned: q.earned,
      possible: q.possible,
    })),
  };
}

/**
 * Upserts in one round trip. Two upserts of a new `_id` at once can both try the insert; the loser
 * gets a duplicate key, and its retry is an ordinary update of the winner's document.
 */
async function bulkUpsert<T extends mongo.Document>(
  model: { collection: unknown },
  ops: mongo.AnyBulkWriteOperation<T>[],
): Promise<void> {
  const collection = model.collection as mongo.Collection<T>;
  let pending = ops;
  for (let attempt = 1; pending.length > 0; attempt += 1) {
    try {
      await collection.bulkWrite(pending, { ordered: false });
      return;
    } catch (error) {
      const lostRaces = duplicateKeyIndexes(error);
      if (attempt >= UPSERT_RETRIES || !lostRaces) throw error;
      pending = lostRaces.map((index) => pending[index] as mongo.AnyBulkWriteOperation<T>);
    }
  }
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

interface AttemptRow extends Record<string, unknown> {
  id: number;
  studentId: number;
  testId: number;
  score: number | null;
  resultRevision?: number;
  resultChangedAt: Date;
}

export const analyticsJobStore: AnalyticsJobStore = {
  getWatermark: () =>
    withMongo(async () => {
      const state = await JobStateModel.findById(JOB_ID).lean();
      return state?.watermark ?? null;
    }),

  advanceWatermark: (to) =>
    withMongo(async () => {
      // $max of {changedAt, attemptId}: the position only ever moves forward.
      const watermark: AnalyticsWatermark = { changedAt: to.changedAt, attemptId: to.attemptId };
      await bulkUpsert<JobStateDoc>(JobStateModel, [
        { updateOne: { filter: { _id: JOB_ID }, update: { $max: { watermark } }, upsert: true } },
      ]);
    }),

  async *finishedAttemptPages(after, until, pageSize) {
    const pages = keysetPages<TestAttemptDoc, AttemptRow>({
      model: TestAttemptModel,
      filter: {
        status: trusted({ $in: FINISHED_STATUSES }),
        resultChangedAt: trusted({ $lte: until }),
      },
      keys: ['resultChangedAt', 'id'],
      projection: {
        _id: 0,
        id: 1,
        studentId: 1,
        testId: 1,
        score: 1,
        resultRevision: 1,
        resultChangedAt: 1,
      },
      pageSize,
      after: after ? [after.changedAt, after.attemptId] : undefined,
    });
    for await (const rows of pages) {
      // Read after the attempts: an answer graded since carries a higher revision (attempts.ts).
      // Answers only (no seal), each at its current version (see attempts.ts).
      const answers = await withMongo(() =>
        AnswerModel.find(
          { attemptId: trusted({ $in: rows.map((r) => r.id) }), sealed: trusted({ $ne: true }) },
          { _id: 0, attemptId: 1, questionId: 1, seq: 1, score: 1 },
        ).lean(),
      );
      const byAttempt = new Map(
        [...groupBy(answers, (a) => a.attemptId)].map(([attemptId, versions]) => [
          attemptId,
          currentVersions(versions),
        ]),
      );
      yield rows.map((r) => ({
        id: r.id,
        studentId: r.studentId,
        testId: r.testId,
        score: r.score ?? null,
        revision: r.resultRevision ?? 0,
        changedAt: r.resultChangedAt,
        answers: (byAttempt.get(r.id) ?? []).map((a) => ({
          questionId: a.questionId,
          score: a.score ?? null,
        })),
      }));
    }
  },

  getTestFacts: (testIds) =>
    withMongo(async () => {
      const facts = new Map<number, TestFacts>();
      if (testIds.length === 0) return facts;
      const [tests, questions] = await Promise.all([
        TestModel.find({ id: trusted({ $in: testIds }) }, { _id: 0, id: 1, totalMarks: 1 }).lean(),
        QuestionModel.find(
          { testId: trusted({ $in: testIds }) },
          { _id: 0, id: 1, testId: 1, marks: 1, topic: 1, type: 1 },
        ).lean(),
      ]);
      const byTest = groupBy(questions, (q) => q.testId);
      for (const test of tests) {
        facts.set(test.id, {
          id: test.id,
          totalMarks: test.totalMarks,
          questions: (byTest.get(test.id) ?? []).map((q) => ({
            id: q.id,
            marks: q.marks,
            topic: q.topic ?? null,
            type: q.type,
          })),
        });
      }
      return facts;
    }),

  writeStudentFigures: (rows) =>
    withMongo(async () => {
      const docs: AnalyticsDoc[] = rows.map(({ userId, testId, figures }) => ({
        _id: analyticsKey(userId, testId),
        // The row's id is the lowest id of the attempts it was computed from (`$min` below):
        // attempt ids are unique and each belongs to one (student, test), so no two rows can
        // share one (no counter needed), and every run, in any order, arrives at the same id.
        id: figures.attemptId,
        userId,
        testId,
        current: toFiguresDoc(figures),
      }));
      // New rows go in with one batched insert (an upsert per row costs a transaction each on
      // FerretDB); only rows that exist already take the `$max` update.
      const existing = await insertNew(AnalyticsModel, docs);
      await bulkUpsert<AnalyticsDoc>(
        AnalyticsModel,
        existing.map(({ _id, id, userId, testId, current }) => ({
          updateOne: {
            filter: { _id },
            update: { $max: { current }, $min: { id }, $setOnInsert: { userId, testId } },
            upsert: true,
          },
        })),
      );
    }),

  markTestsDirty: (testIds) =>
    withMongo(() =>
      bulkUpsert<TestStatisticsDoc>(
        TestStatisticsModel,
        [...new Set(testIds)].map((testId) => ({
          updateOne: {
            filter: { _id: testId },
            update: { $inc: { version: 1 }, $set: { dirty: true } },
            upsert: true,
          },
        })),
      ),
    ),

  dirtyTests: (limit) =>
    withMongo(async () =>
      (
        await TestStatisticsModel.find({ dirty: true }, { _id: 1, version: 1 })
          .sort({ _id: 1 })
          .limit(limit)
          .lean()
      ).map((doc) => ({ testId: doc._id, version: doc.version })),
    ),

  async *studentResultsOfTests(testIds, pageSize) {
    type ResultRow = Pick<AnalyticsDoc, 'testId' | 'userId' | 'current'>;
    const pages = keysetPages<AnalyticsDoc, ResultRow>({
      model: AnalyticsModel,
      filter: { testId: trusted({ $in: [...testIds] }) },
      keys: ['testId', 'userId'],
      projection: {
        _id: 0,
        testId: 1,
        userId: 1,
        'current.scorePercentage': 1,
        'current.questionScores': 1,
        'current.insightDate': 1,
      },
      pageSize,
    });
    for await (const rows of pages) {
      for (const { testId, current } of rows) {
        yield {
          testId,
          scorePercentage: current.scorePercentage,
          questionScores: current.questionScores,
          insightDate: current.insightDate,
        };
      }
    }
  },

  writeTestStatistics: (version, { testId, ...statistics }) =>
    withMongo(async () => {
      const stats = { version, ...statistics };
      await bulkUpsert<TestStatisticsDoc>(TestStatisticsModel, [
        { updateOne: { filter: { _id: testId }, update: { $max: { stats } }, upsert: true } },
      ]);
      // Still dirty if a row changed after `version` was read: that change bumped the version.
      await (
        TestStatisticsModel.collection as unknown as mongo.Collection<TestStatisticsDoc>
      ).updateOne({ _id: testId, version }, { $set: { dirty: false } });
    }),
};

export const analyticsStore: AnalyticsStorage = {
  getAnalyticsByUser: (userId) =>
    withMongo(async () =>
      (
        await AnalyticsModel.find({ userId }, NO_ID)
          .sort({ 'current.insightDate': -1, id: -1 })
          .lean<AnalyticsDoc[]>()
      ).map(toAnalytics),
    ),

  getAnalyticsByTest: (testId) =>
    withMongo(async () =>
      (await AnalyticsModel.find({ testId }, NO_ID).sort({ userId: 1 }).lean<AnalyticsDoc[]>()).map(
        toAnalytics,
      ),
    ),

  getTestStatistics: (testId) =>
    withMongo(async () => {
      const doc = await TestStatisticsModel.findById(testId).lean();
      if (!doc?.stats) return undefined;
      const { version: _version, ...stats } = doc.stats;
      return { testId, ...stats } satisfies TestStatistics;
    }),
};
