/** Test attempts (at most one in progress per student and test) and their answers. */
import { type QueryFilter, trusted } from 'mongoose';
import {
  type AnswerDoc,
  AnswerModel,
  attemptActiveKey,
  sequences,
  type TestAttemptDoc,
  TestAttemptModel,
} from '../../../shared/mongo-schema';
import type { Answer, AttemptStatus, TestAttempt } from '../../../shared/schema';
import { withMongo } from '../../db/mongo';
import { ConflictError } from '../errors';
import type { IStorage } from '../storage';
import { nextId } from './counters';
import { isDuplicateKey } from './duplicate-key';
import { pick } from './guards';
import { updateOrInsert } from './upsert';

const NO_ID = { _id: 0 } as const;

export function toTestAttempt(doc: TestAttemptDoc): TestAttempt {
  return {
    id: doc.id,
    testId: doc.testId,
    studentId: doc.studentId,
    startTime: doc.startTime,
    endTime: doc.endTime ?? null,
    score: doc.score ?? null,
    status: doc.status,
  };
}

export function toAnswer(doc: AnswerDoc): Answer {
  return {
    id: doc.id,
    attemptId: doc.attemptId,
    questionId: doc.questionId,
    text: doc.text ?? null,
    selectedOption: doc.selectedOption ?? null,
    imageUrl: doc.imageUrl ?? null,
    ocrText: doc.ocrText ?? null,
    score: doc.score ?? null,
    aiConfidence: doc.aiConfidence ?? null,
    aiFeedback: doc.aiFeedback ?? null,
    feedback: doc.feedback ?? null,
    isCorrect: doc.isCorrect ?? null,
  };
}

/** The states in which an attempt has a result. */
export const FINISHED_STATUSES: AttemptStatus[] = ['completed', 'evaluated'];

/**
 * Marks attempts' results as changed, for compute-analytics (which reads attempts in
 * resultChangedAt order and lets a higher resultRevision win). Every write that can change a
 * result calls this after its own write, never before: the job reads an attempt, then its answers
 * and questions, so a revision it has seen can never hide a change that comes after it.
 */
export async function touchResults(
  which: { attemptId: number } | { testId: number },
): Promise<void> {
  // Only finished attempts: an attempt in progress is stamped when it is completed. So on the hot
  // path (a student answering) this matches nothing and writes nothing.
  const filter: QueryFilter<TestAttemptDoc> = {
    ...('attemptId' in which ? { id: which.attemptId } : { testId: which.testId }),
    status: trusted({ $in: FINISHED_STATUSES }),
  };
  await TestAttemptModel.updateMany(filter, {
    $set: { resultChangedAt: new Date() },
    $inc: { resultRevision: 1 },
  });
}

type AttemptStore = Pick<
  IStorage,
  | 'createTestAttempt'
  | 'getTestAttempt'
  | 'getTestAttemptsByStudent'
  | 'getTestAttemptsByTest'
  | 'updateTestAttempt'
  | 'upsertAnswer'
  | 'getAnswer'
  | 'getAnswersByAttempt'
  | 'updateAnswer'
>;

const OLDEST_FIRST = { startTime: 1, id: 1 } as const;

/** What grading and evaluation may change on an answer; never its attempt, question or content. */
const ANSWER_CHANGE_FIELDS = [
  'score',
  'feedback',
  'isCorrect',
  'aiFeedback',
  'aiConfidence',
  'ocrText',
] as const;

/** Lost races for the next attempt number before giving up (each loser saw a newer attempt). */
const ATTEMPT_NUMBER_TRIES = 20;

const attemptInProgress = () =>
  new ConflictError(
    'An attempt at this test is already in progress',
    'attempt',
    'ATTEMPT_IN_PROGRESS',
  );

export const attemptStore: AttemptStore = {
  /**
   * The limit is a claim, not a count: the new attempt takes number (highest so far + 1), which
   * must be <= maxAttempts, and (studentId, testId, attemptNumber) is unique. Two concurrent starts
   * that read the same highest number race for one number and one of them loses on the index, so
   * no interleaving can make more than maxAttempts attempts (on FerretDB too: only the insert is
   * trusted). activeKey, unique as well, keeps one attempt in progress.
   */
  createTestAttempt: ({ testId, studentId, maxAttempts }) =>
    withMongo(async () => {
      const status = 'in_progress' as const;
      let id: number | undefined;
      for (let tries = 0; tries < ATTEMPT_NUMBER_TRIES; tries += 1) {
        const last = await TestAttemptModel.findOne({ studentId, testId }, { attemptNumber: 1 })
          .sort({ attemptNumber: -1 })
          .lean();
        const attemptNumber = (last?.attemptNumber ?? 0) + 1;
        if (attemptNumber > maxAttempts) {
          throw new ConflictError(
            `Every attempt at this test has been used (${maxAttempts} allowed)`,
            'attemptLimit',
            'ATTEMPT_LIMIT_REACHED',
          );
        }
        id ??= await nextId(sequences.attempt);
        try {
          const doc = await TestAttemptModel.create({
            id,
            testId,
            studentId,
            status,
            attemptNumber,
            startTime: new Date(),
            activeKey: attemptActiveKey({ id, testId, studentId, status }),
          });
          return toTestAttempt(doc.toObject());
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
          // Either key: an attempt in progress (ours to refuse), or a number taken by an attempt
          // already finished (then the next number is tried, against the limit again).
          const active = { activeKey: attemptActiveKey({ id, testId, studentId, status }) };
          if (await TestAttemptModel.exists(active)) throw attemptInProgress();
        }
      }
      throw attemptInProgress();
    }),

  getTestAttempt: (id) =>
    withMongo(async () => {
      const doc = await TestAttemptModel.findOne({ id }, NO_ID).lean();
      return doc ? toTestAttempt(doc) : undefined;
    }),

  getTestAttemptsByStudent: (studentId, testId) =>
    withMongo(async () =>
      (
        await TestAttemptModel.find(
          { studentId, ...(testId === undefined ? {} : { testId }) },
          NO_ID,
        )
          .sort(OLDEST_FIRST)
          .lean()
      ).map(toTestAttempt),
    ),

  getTestAttemptsByTest: (testId) =>
    withMongo(async () =>
      (await TestAttemptModel.find({ testId }, NO_ID).sort(OLDEST_FIRST).lean()).map(toTestAttempt),
    ),

  updateTestAttempt: (id, change) =>
    withMongo(async () => {
      const current = await TestAttemptModel.findOne({ id }, NO_ID).lean();
      if (!current) return undefined;
      const notInExpectedState = () =>
        new ConflictError(
          `The attempt is ${current.status}, not ${change.from?.join(' or ')}`,
          'status',
        );
      if (change.from && !change.from.includes(current.status)) throw notInExpectedState();
      const set = {
        status: change.status,
        activeKey: attemptActiveKey({ ...current, status: change.status }),
        ...(change.score === undefined ? {} : { score: change.score }),
        ...(change.endTime === undefined ? {} : { endTime: change.endTime }),
      };
      try {
        // The expected status is part of the filter, so the check and the change are one atomic
        // step on MongoDB (a status that moved meanwhile matches nothing).
        const doc = await TestAttemptModel.findOneAndUpdate(
          { id, ...(change.from ? { status: trusted({ $in: change.from }) } : {}) },
          { $set: { ...set, resultChangedAt: new Date() }, $inc: { resultRevision: 1 } },
          { returnDocument: 'after', lean: true, runValidators: true },
        );
        if (!doc && change.from) throw notInExpectedState();
        return doc ? toTestAttempt(doc) : undefined;
      } catch (error) {
        if (isDuplicateKey(error)) throw attemptInProgress();
        throw error;
      }
    }),

  upsertAnswer: (answer) =>
    withMongo(async () => {
      const { attemptId, questionId } = answer;
      // A new answer replaces the old one whole: earlier grading no longer applies to it.
      const fields = {
        text: answer.text ?? null,
        selectedOption: answer.selectedOption ?? null,
        imageUrl: answer.imageUrl ?? null,
        score: answer.score ?? null,
        isCorrect: answer.isCorrect ?? null,
        ocrText: null,
        aiConfidence: null,
        aiFeedback: null,
        feedback: null,
      };
      const saved = await updateOrInsert(
        async () => {
          const doc = await AnswerModel.findOneAndUpdate(
            { attemptId, questionId },
            { $set: fields },
            { returnDocument: 'after', lean: true },
          );
          return doc ? toAnswer(doc) : undefined;
        },
        async () => {
          const id = await nextId(sequences.answer);
          const doc = await AnswerModel.create({ id, attemptId, questionId, ...fields });
          return toAnswer(doc.toObject());
        },
      );
      // Usually the attempt is in progress and this matches nothing; but an answer that lands
      // just after the attempt was completed must still be counted.
      await touchResults({ attemptId });
      return saved;
    }),

  getAnswer: (id) =>
    withMongo(async () => {
      const doc = await AnswerModel.findOne({ id }, NO_ID).lean();
      return doc ? toAnswer(doc) : undefined;
    }),

  getAnswersByAttempt: (attemptId) =>
    withMongo(async () =>
      (await AnswerModel.find({ attemptId }, NO_ID).sort({ questionId: 1 }).lean()).map(toAnswer),
    ),

  updateAnswer: (id, change) =>
    withMongo(async () => {
      const doc = await AnswerModel.findOneAndUpdate(
        { id },
        { $set: pick(change, ANSWER_CHANGE_FIELDS) },
        { returnDocument: 'after', lean: true, runValidators: true },
      );
      if (!doc) return undefined;
      await touchResults({ attemptId: doc.attemptId });
      return toAnswer(doc);
    }),
};
