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
import {
  type Answer,
  type AttemptStatus,
  MAX_ANSWER_WRITES_PER_ATTEMPT,
  type TestAttempt,
} from '../../../shared/schema';
import { withMongo } from '../../db/mongo';
import { StorageConflictError } from '../errors';
import type { AttemptStorage } from '../storage';
import { nextId } from './counters';
import { isDuplicateKey } from './duplicate-key';
import { pick } from './guards';

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

/**
 * Answers racing the completion of their attempt.
 *
 * The guarantee: an answer write either lands before the attempt's result is fixed (and is part
 * of it) or is refused (StorageConflictError 'attempt', code ATTEMPT_NOT_IN_PROGRESS); it is never
 * written after. There is no multi-document transaction on the local engine, and FerretDB 1.x
 * runs every update as a read followed by a whole-document write: an answer updated in place
 * while completion marks it sealed could undo the mark (a write after the result) or be undone
 * by it (a 201 whose answer is lost). So neither side updates: everything the race decides is an
 * insert against the unique (attemptId, seq) index, atomic on every engine.
 *
 * - An answer write inserts a new version of the answer at the attempt's next seq (highest + 1),
 *   content included. If the highest row is the seal it is refused; if another row took that
 *   seq first, it reads again and retries.
 * - Completion (after its conditional status change) inserts the seal at the next seq the same
 *   way, so the seal and every accepted answer are totally ordered by seq: an insert above the
 *   seal would need a writer that read a highest seq >= the seal's, i.e. that saw the seal.
 * - Readers take, per question, the highest-seq version that is not the seal.
 * - A completion that fails between its status change and its seal leaves the attempt finished
 *   but unsealed, and its retry is refused; so whatever next finds the attempt finished (a
 *   retried completion, an evaluation, grading, an answer refused by authorization) seals it.
 * An answer accepted before the seal is therefore complete in the store when completion returns;
 * nothing is accepted after it. Superseded versions are kept, never deleted: a freed seq below
 * the seal could be taken by a writer that read the attempt before the seal existed.
 */
const LIVE = { sealed: trusted({ $ne: true }) };
/** Lost seq races before giving up (each loser saw a newer row: the attempt is busy). */
const SEQ_TRIES = 50;
// MAX_ANSWER_WRITES_PER_ATTEMPT (shared/schema.ts) bounds the rows: the highest seq is their
// count, seqs having no gaps. The seal is not counted: completion always goes through.

const attemptNotInProgress = () =>
  new StorageConflictError('The attempt is not in progress', 'attempt', 'ATTEMPT_NOT_IN_PROGRESS');

/** The current version of each answer in `rows` (any order): its highest seq. */
export function currentVersions<T extends { questionId: number; seq?: number }>(rows: T[]): T[] {
  const byQuestion = new Map<number, T>();
  for (const row of rows) {
    const held = byQuestion.get(row.questionId);
    if (!held || (row.seq ?? 0) > (held.seq ?? 0)) byQuestion.set(row.questionId, row);
  }
  return [...byQuestion.values()];
}

/** The attempt's highest-seq row (an answer version or the seal), if any. */
function topRow(attemptId: number) {
  return AnswerModel.findOne({ attemptId }, { _id: 0, seq: 1, sealed: 1 }).sort({ seq: -1 }).lean();
}

/** The current version of the attempt's answer to `questionId`, if any (just its id). */
function currentAnswerRow(attemptId: number, questionId: number) {
  return AnswerModel.findOne({ attemptId, questionId, ...LIVE }, { _id: 0, id: 1 })
    .sort({ seq: -1 })
    .lean();
}

/** Inserts the seal at the attempt's next seq (once: a sealed attempt stays as it is). */
async function sealAnswers(attemptId: number): Promise<void> {
  for (let tries = 0; tries < SEQ_TRIES; tries += 1) {
    const top = await topRow(attemptId);
    if (top?.sealed) return;
    try {
      await AnswerModel.create({
        id: 0,
        attemptId,
        questionId: 0,
        seq: (top?.seq ?? 0) + 1,
        sealed: true,
      });
      return;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
  }
  throw new Error(`could not seal the answers of attempt ${attemptId}`);
}

/** The states in which an attempt has a result. */
export const FINISHED_STATUSES: AttemptStatus[] = ['completed', 'evaluated'];

/**
 * Seals a finished attempt whose completion changed the status but could not write the seal (a
 * MongoDB error, SEQ_TRIES exhausted): its client's retry is then refused (the status moved), so
 * whatever next finds the attempt finished seals it. Idempotent; one indexed read when sealed.
 */
async function sealIfFinished(attempt: Pick<TestAttemptDoc, 'id' | 'status'>): Promise<void> {
  if (FINISHED_STATUSES.includes(attempt.status)) await sealAnswers(attempt.id);
}

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
  new StorageConflictError(
    'An attempt at this test is already in progress',
    'attempt',
    'ATTEMPT_IN_PROGRESS',
  );

export const attemptStore: AttemptStorage = {
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
          throw new StorageConflictError(
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

  updateTestAttempt: (id, change) =>
    withMongo(async () => {
      const current = await TestAttemptModel.findOne({ id }, NO_ID).lean();
      if (!current) return undefined;
      // Before anything else, so that a retried completion (409 below) or an evaluation heals it.
      await sealIfFinished(current);
      const notInExpectedState = () =>
        new StorageConflictError(
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
        if (!doc) return undefined;
        // Leaving in_progress fixes the answers: from the seal on, every answer write is refused.
        if (current.status === 'in_progress' && doc.status !== 'in_progress') {
          await sealAnswers(id);
        }
        return toTestAttempt(doc);
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
      let id: number | undefined;
      for (let tries = 0; tries < SEQ_TRIES; tries += 1) {
        const top = await topRow(attemptId);
        if (top?.sealed) throw attemptNotInProgress();
        if ((top?.seq ?? 0) >= MAX_ANSWER_WRITES_PER_ATTEMPT) {
          throw new StorageConflictError(
            `This attempt has had ${MAX_ANSWER_WRITES_PER_ATTEMPT} answer writes, the most ` +
              'allowed; it takes no more',
            'answer',
            'ANSWER_LIMIT_REACHED',
          );
        }
        // A new version keeps the answer's id; the first version of an answer gets a new one.
        const current = await currentAnswerRow(attemptId, questionId);
        id = current?.id ?? id ?? (await nextId(sequences.answer));
        const seq = (top?.seq ?? 0) + 1;
        let saved: AnswerDoc;
        try {
          saved = (
            await AnswerModel.create({ id, attemptId, questionId, seq, ...fields })
          ).toObject();
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
          continue; // Another row took this seq (maybe the seal): read again.
        }
        // Usually the attempt is in progress and this matches nothing; but an answer accepted
        // just before the seal, after the status changed, must still reach analytics.
        await touchResults({ attemptId });
        return toAnswer(saved);
      }
      throw new StorageConflictError(
        'Too many answers to this attempt at once; retry',
        'answer',
        'ANSWER_WRITE_CONTENDED',
      );
    }),

  getAnswer: (id) =>
    withMongo(async () => {
      const doc = await AnswerModel.findOne({ id, ...LIVE }, NO_ID)
        .sort({ seq: -1 })
        .lean();
      return doc ? toAnswer(doc) : undefined;
    }),

  getAnswersByAttempt: (attemptId) =>
    withMongo(async () =>
      currentVersions(await AnswerModel.find({ attemptId, ...LIVE }, NO_ID).lean())
        .sort((a, b) => a.questionId - b.questionId)
        .map(toAnswer),
    ),

  updateAnswer: (id, change) =>
    withMongo(async () => {
      // Grading fixes a result: the attempt's answers must be sealed by then.
      const answer = await AnswerModel.findOne({ id, ...LIVE }, { _id: 0, attemptId: 1 }).lean();
      if (!answer) return undefined;
      const attempt = await TestAttemptModel.findOne(
        { id: answer.attemptId },
        { _id: 0, id: 1, status: 1 },
      ).lean();
      if (attempt) await sealIfFinished(attempt);
      // The current version (the highest seq) is the answer; older ones are history.
      const doc = await AnswerModel.findOneAndUpdate(
        { id, ...LIVE },
        { $set: pick(change, ANSWER_CHANGE_FIELDS) },
        { returnDocument: 'after', lean: true, runValidators: true, sort: { seq: -1 } },
      );
      if (!doc) return undefined;
      await touchResults({ attemptId: doc.attemptId });
      return toAnswer(doc);
    }),

  sealFinishedAttempt: (attemptId) =>
    withMongo(async () => {
      const attempt = await TestAttemptModel.findOne(
        { id: attemptId },
        { _id: 0, id: 1, status: 1 },
      ).lean();
      if (attempt) await sealIfFinished(attempt);
    }),
};
