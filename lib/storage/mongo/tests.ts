/** Tests and their questions. */
import { trusted } from 'mongoose';
import {
  type QuestionDoc,
  QuestionModel,
  sequences,
  type TestDoc,
  TestModel,
} from '../../../shared/mongo-schema';
import {
  DEFAULT_MAX_ATTEMPTS,
  type Question,
  type QuestionType,
  type Test,
  type TestStatus,
} from '../../../shared/schema';
import { withMongo } from '../../db/mongo';
import type { TestStorage } from '../storage';
import { touchResults } from './attempts';
import { nextId } from './counters';
import { pick } from './guards';

const NO_ID = { _id: 0 } as const;

export function toTest(doc: TestDoc): Test {
  return {
    id: doc.id,
    title: doc.title,
    description: doc.description ?? null,
    subject: doc.subject,
    class: doc.class,
    teacherId: doc.teacherId,
    totalMarks: doc.totalMarks,
    duration: doc.duration,
    testDate: doc.testDate,
    questionTypes: doc.questionTypes as QuestionType[],
    status: doc.status,
    // Tests stored before the limit existed get the default.
    maxAttempts: doc.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    createdAt: doc.createdAt,
  };
}

export function toQuestion(doc: QuestionDoc): Question {
  return {
    id: doc.id,
    testId: doc.testId,
    type: doc.type,
    text: doc.text,
    options: doc.options ?? null,
    correctAnswer: doc.correctAnswer ?? null,
    marks: doc.marks,
    order: doc.order,
    aiRubric: doc.aiRubric ?? null,
    topic: doc.topic ?? null,
  };
}

const NEWEST_FIRST = { createdAt: -1, id: -1 } as const;

/** What an update may change: never the id or the owner. */
const TEST_FIELDS = [
  'title',
  'description',
  'subject',
  'class',
  'totalMarks',
  'duration',
  'testDate',
  'questionTypes',
  'status',
  'maxAttempts',
] as const;

export const testStore: TestStorage = {
  createTest: (test) =>
    withMongo(async () => {
      const id = await nextId(sequences.test);
      const doc = await TestModel.create({ ...test, id, description: test.description ?? null });
      return toTest(doc.toObject());
    }),

  getTest: (id) =>
    withMongo(async () => {
      const doc = await TestModel.findOne({ id }, NO_ID).lean();
      return doc ? toTest(doc) : undefined;
    }),

  getTestsByIds: (ids) =>
    withMongo(async () =>
      ids.length === 0
        ? []
        : (await TestModel.find({ id: trusted({ $in: ids }) }, NO_ID).lean()).map(toTest),
    ),

  getTestsByTeacher: (teacherId, status?: TestStatus) =>
    withMongo(async () =>
      (
        await TestModel.find({ teacherId, ...(status ? { status } : {}) }, NO_ID)
          .sort(NEWEST_FIRST)
          .lean()
      ).map(toTest),
    ),

  getTestsByClass: (className, { status, includeDrafts = false } = {}) =>
    withMongo(async () => {
      const docs = await TestModel.find({ class: className, ...(status ? { status } : {}) }, NO_ID)
        .sort(NEWEST_FIRST)
        .lean();
      // Filtered here rather than with $ne: the class index already narrows to a handful.
      return docs.filter((doc) => includeDrafts || doc.status !== 'draft').map(toTest);
    }),

  updateTest: (id, change) =>
    withMongo(async () => {
      const doc = await TestModel.findOneAndUpdate(
        { id },
        { $set: pick(change, TEST_FIELDS) },
        { returnDocument: 'after', lean: true, runValidators: true },
      );
      // An evaluated attempt's percentage is its score over totalMarks.
      if (doc && change.totalMarks !== undefined) await touchResults({ testId: id });
      return doc ? toTest(doc) : undefined;
    }),

  createQuestion: (question) =>
    withMongo(async () => {
      const id = await nextId(sequences.question);
      // toQuestion is the one field list of a question: it also fills the unset optional fields.
      const doc = await QuestionModel.create(toQuestion({ ...question, id } as QuestionDoc));
      // Finished attempts now have one more (unanswered) question.
      await touchResults({ testId: question.testId });
      return toQuestion(doc.toObject());
    }),

  getQuestion: (id) =>
    withMongo(async () => {
      const doc = await QuestionModel.findOne({ id }, NO_ID).lean();
      return doc ? toQuestion(doc) : undefined;
    }),

  getQuestionsByTest: (testId) =>
    withMongo(async () =>
      (await QuestionModel.find({ testId }, NO_ID).sort({ order: 1, id: 1 }).lean()).map(
        toQuestion,
      ),
    ),
};
