/**
 * Every hot MongoDB query (request paths and scheduled jobs) has a declared index that serves it
 * by the equality-sort-range rule (tests/helpers/index-coverage.ts). The local engine (FerretDB)
 * reads by scan whatever the indexes, so its timings cannot show a missing index: this check
 * does, on the declarations in shared/mongo-schema.ts that lib/storage/mongo/indexes.ts creates.
 *
 * Each entry is a query as lib/storage writes it: a new query, or a changed filter or sort, gets
 * an entry here, and then an index if none serves it.
 */
import type { Model } from 'mongoose';
import { describe, expect, it } from 'vitest';
import {
  AnalyticsModel,
  AnswerModel,
  ChannelModel,
  CounterClaimModel,
  MessageModel,
  MessagePinModel,
  MessageReadMarkModel,
  QuestionModel,
  TestAssignmentModel,
  TestAttemptModel,
  TestModel,
  TestStatisticsModel,
  UserModel,
  WorkspaceModel,
} from '../../shared/mongo-schema';
import { covers, type IndexKeys, type QueryShape } from '../helpers/index-coverage';

// Placeholders: the rule cares for the kind of match, not the value.
const EQ = 1;
const IN = { $in: [1, 2] };
const RANGE = { $gt: 1 };
const NE = { $ne: 1 };

interface HotQuery extends QueryShape {
  /** Where lib/storage runs it. */
  where: string;
  // biome-ignore lint/suspicious/noExplicitAny: any model of the schema
  model: Model<any>;
}

const HOT_QUERIES: HotQuery[] = [
  // users
  { where: 'users.getUser', model: UserModel, filter: { id: EQ } },
  {
    where: 'users.getUserByUsername, verifyCredentials',
    model: UserModel,
    filter: { usernameKey: EQ },
  },
  { where: 'users.getUsersByIds', model: UserModel, filter: { id: IN }, sort: { id: 1 } },
  {
    where: 'users.getUsersByClass',
    model: UserModel,
    filter: { role: EQ, class: EQ },
    sort: { id: 1 },
  },
  { where: 'users rehash', model: UserModel, filter: { id: EQ, passwordHash: EQ } },
  // counters
  { where: 'counters.repair', model: CounterClaimModel, filter: { name: EQ }, sort: { n: -1 } },
  // tests and questions
  { where: 'tests.getTest', model: TestModel, filter: { id: EQ } },
  { where: 'tests.getTestsByIds', model: TestModel, filter: { id: IN } },
  {
    where: 'tests.getTestsByTeacher',
    model: TestModel,
    filter: { teacherId: EQ },
    sort: { createdAt: -1, id: -1 },
  },
  {
    where: 'tests.getTestsByTeacher(status)',
    model: TestModel,
    filter: { teacherId: EQ, status: EQ },
    sort: { createdAt: -1, id: -1 },
  },
  {
    where: 'tests.getTestsByClass',
    model: TestModel,
    filter: { class: EQ },
    sort: { createdAt: -1, id: -1 },
  },
  {
    where: 'tests.getTestsByClass(status)',
    model: TestModel,
    filter: { class: EQ, status: EQ },
    sort: { createdAt: -1, id: -1 },
  },
  { where: 'tests.getQuestion', model: QuestionModel, filter: { id: EQ } },
  {
    where: 'tests.getQuestionsByTest',
    model: QuestionModel,
    filter: { testId: EQ },
    sort: { order: 1, id: 1 },
  },
  { where: 'analytics.getTestFacts', model: QuestionModel, filter: { testId: IN } },
  // attempts and answers
  { where: 'attempts.getTestAttempt', model: TestAttemptModel, filter: { id: EQ } },
  {
    where: 'attempts.createTestAttempt (next number)',
    model: TestAttemptModel,
    filter: { studentId: EQ, testId: EQ },
    sort: { attemptNumber: -1 },
  },
  {
    where: 'attempts.getTestAttemptsByStudent',
    model: TestAttemptModel,
    filter: { studentId: EQ },
    sort: { startTime: 1, id: 1 },
  },
  {
    where: 'attempts.getTestAttemptsByStudent(test)',
    model: TestAttemptModel,
    filter: { studentId: EQ, testId: EQ },
    sort: { startTime: 1, id: 1 },
    // A student's attempts over all tests are few: the student's run of the index bounds it.
    residual: ['testId'],
  },
  {
    where: 'attempts.touchResults(test)',
    model: TestAttemptModel,
    filter: { testId: EQ, status: IN },
    // A test's attempts are a class's worth: the test's run of the index bounds them.
    residual: ['status'],
  },
  {
    where: 'analytics.finishedAttemptPages',
    model: TestAttemptModel,
    filter: { status: IN, resultChangedAt: RANGE },
    sort: { resultChangedAt: 1, id: 1 },
    // Nearly every attempt the job reads is finished: the range on resultChangedAt bounds it.
    residual: ['status'],
  },
  {
    where: 'attempts: an attempt’s highest row (answer writes, the seal)',
    model: AnswerModel,
    filter: { attemptId: EQ },
    sort: { seq: -1 },
  },
  {
    where: 'attempts.upsertAnswer: the question’s current version',
    model: AnswerModel,
    filter: { attemptId: EQ, questionId: EQ, sealed: NE },
    sort: { seq: -1 },
    residual: ['sealed'],
  },
  {
    where: 'attempts.getAnswersByAttempt',
    model: AnswerModel,
    filter: { attemptId: EQ, sealed: NE },
    residual: ['sealed'],
  },
  {
    where: 'attempts.getAnswer, updateAnswer',
    model: AnswerModel,
    filter: { id: EQ, sealed: NE },
    sort: { seq: -1 },
    residual: ['sealed'],
  },
  {
    where: 'attempts.updateAnswer: the answer’s attempt',
    model: AnswerModel,
    filter: { id: EQ, sealed: NE },
    residual: ['sealed'],
  },
  {
    where: 'analytics: answers of a page of attempts',
    model: AnswerModel,
    filter: { attemptId: IN },
  },
  // assignments
  { where: 'assignments.getTestAssignment', model: TestAssignmentModel, filter: { id: EQ } },
  {
    where: 'assignments.assignTest (existing ones)',
    model: TestAssignmentModel,
    filter: { testId: EQ, studentId: IN },
  },
  {
    where: 'assignments.getTestAssignments(student)',
    model: TestAssignmentModel,
    filter: { studentId: EQ, status: EQ, testId: EQ },
    sort: { dueDate: 1, id: 1 },
    // A student's assignments are few: their run of the index bounds the scan.
    residual: ['status', 'testId'],
  },
  {
    where: 'assignments.getTestAssignments(teacher)',
    model: TestAssignmentModel,
    filter: { assignedBy: EQ, status: EQ },
    sort: { dueDate: 1, id: 1 },
    residual: ['status'],
  },
  {
    where: 'assignments.getTestAssignments(teacher, test)',
    model: TestAssignmentModel,
    filter: { assignedBy: EQ, testId: EQ, status: EQ },
    sort: { dueDate: 1, id: 1 },
    residual: ['status'],
  },
  {
    where: 'assignments.markOverdueAssignments',
    model: TestAssignmentModel,
    filter: { status: IN, dueDate: RANGE },
  },
  // analytics
  {
    where: 'analytics.getAnalyticsByUser',
    model: AnalyticsModel,
    filter: { userId: EQ },
    sort: { 'current.insightDate': -1, id: -1 },
  },
  {
    where: 'analytics.getAnalyticsByTest',
    model: AnalyticsModel,
    filter: { testId: EQ },
    sort: { userId: 1 },
  },
  {
    where: 'analytics.studentResultsOfTests',
    model: AnalyticsModel,
    filter: { testId: IN },
    sort: { testId: 1, userId: 1 },
  },
  {
    where: 'analytics.dirtyTests',
    model: TestStatisticsModel,
    filter: { dirty: EQ },
    sort: { _id: 1 },
  },
  // workspaces and channels
  { where: 'channels.getWorkspace', model: WorkspaceModel, filter: { id: EQ } },
  {
    where: 'channels.getWorkspacesByMember',
    model: WorkspaceModel,
    filter: { members: EQ },
    sort: { createdAt: 1, id: 1 },
  },
  { where: 'channels.getChannel', model: ChannelModel, filter: { id: EQ } },
  { where: 'channels.findDm', model: ChannelModel, filter: { uniqueKey: EQ } },
  {
    where: 'channels.getChannelsByWorkspace',
    model: ChannelModel,
    filter: { workspaceId: EQ },
    sort: { createdAt: 1, id: 1 },
  },
  {
    where: 'channels.getDmChannels',
    model: ChannelModel,
    filter: { participants: EQ, type: EQ },
    sort: { createdAt: -1, id: -1 },
  },
  {
    where: 'channels.searchChannels',
    model: ChannelModel,
    filter: { workspaceId: IN, $or: NE },
    sort: { createdAt: 1, id: 1 },
    // Patterns on class/name/subject: the caller's workspaces bound the scan.
    residual: ['$or'],
  },
  // messages (the MongoDB message store)
  {
    where: 'messages.history',
    model: MessageModel,
    filter: { channelId: EQ, id: RANGE },
    sort: { id: -1 },
  },
  {
    where: 'messages.unreadCount',
    model: MessageModel,
    filter: { channelId: EQ, id: RANGE, authorId: NE, readBy: NE },
    residual: ['authorId', 'readBy'],
  },
  {
    where: 'messages: the read run above a read position, the first unread',
    model: MessageModel,
    filter: { channelId: EQ, id: RANGE, authorId: NE, readBy: NE },
    sort: { id: 1 },
    residual: ['authorId', 'readBy'],
  },
  {
    where: 'messages.readPosition',
    model: MessageReadMarkModel,
    filter: { channelId: EQ, userId: EQ },
    sort: { upTo: -1 },
  },
  {
    where: 'messages: marks below a new read position',
    model: MessageReadMarkModel,
    filter: { channelId: EQ, userId: EQ, upTo: RANGE },
  },
  { where: 'messages.pinnedIds', model: MessagePinModel, filter: { channelId: EQ } },
  {
    where: 'messages.delete (its pins)',
    model: MessagePinModel,
    filter: { channelId: EQ, messageId: EQ },
  },
];

/** The model's declared indexes (shared/mongo-schema.ts), plus the _id index every collection has. */
// biome-ignore lint/suspicious/noExplicitAny: any model of the schema
function indexesOf(model: Model<any>): { keys: IndexKeys; unique: boolean }[] {
  return [
    { keys: { _id: 1 }, unique: true },
    ...model.schema
      .indexes()
      .map(([keys, options]) => ({ keys: keys as IndexKeys, unique: options?.unique === true })),
  ];
}

describe('index coverage of the hot MongoDB queries', () => {
  it.each(HOT_QUERIES)('$where has an index', (query) => {
    const serving = indexesOf(query.model).filter(({ keys, unique }) =>
      covers(keys, query, unique),
    );
    expect(serving, JSON.stringify({ filter: query.filter, sort: query.sort })).not.toEqual([]);
  });
});

describe('the equality-sort-range rule', () => {
  const shape = (filter: QueryShape['filter'], sort?: QueryShape['sort']) => ({ filter, sort });

  it('takes the equality fields in any order, then the sort, then the ranges', () => {
    const index: IndexKeys = { b: 1, a: 1, t: -1, id: -1, r: 1 };
    expect(covers(index, shape({ a: EQ, b: EQ }, { t: -1, id: -1 }))).toBe(true);
    expect(covers(index, shape({ a: EQ, b: EQ, r: RANGE }, { t: -1, id: -1 }))).toBe(true);
    expect(covers(index, shape({ a: EQ, b: EQ }))).toBe(true);
  });

  it('reads an index backwards when every sort key is reversed, not when some are', () => {
    const index: IndexKeys = { a: 1, t: 1, id: 1 };
    expect(covers(index, shape({ a: EQ }, { t: -1, id: -1 }))).toBe(true);
    expect(covers(index, shape({ a: EQ }, { t: -1, id: 1 }))).toBe(false);
  });

  it('refuses an index missing an equality field, a sort key, or a range field', () => {
    expect(covers({ a: 1, t: 1 }, shape({ a: EQ, b: EQ }, { t: 1 }))).toBe(false);
    expect(covers({ a: 1, t: 1 }, shape({ a: EQ }, { t: 1, id: 1 }))).toBe(false);
    expect(covers({ a: 1 }, shape({ a: EQ, r: RANGE }))).toBe(false);
  });

  it('refuses a range before the sort, and a sort before the equality fields', () => {
    expect(covers({ a: 1, r: 1, t: 1 }, shape({ a: EQ, r: RANGE }, { t: 1 }))).toBe(false);
    expect(covers({ t: 1, a: 1 }, shape({ a: EQ }, { t: 1 }))).toBe(false);
  });

  it('reads a range on a sort key from the sorted run', () => {
    expect(covers({ c: 1, id: -1 }, shape({ c: EQ, id: RANGE }, { id: 1 }))).toBe(true);
  });

  it('serves any query by a unique index whose every key is matched exactly', () => {
    expect(covers({ id: 1 }, shape({ id: EQ, hash: EQ }), true)).toBe(true);
    expect(covers({ id: 1 }, shape({ id: EQ, hash: EQ }), false)).toBe(false);
  });

  it('skips sort keys the query fixes by equality', () => {
    expect(covers({ a: 1, t: 1 }, shape({ a: EQ }, { a: 1, t: 1 }))).toBe(true);
  });

  it('asks for operators it cannot place to be declared residual', () => {
    expect(() => covers({ a: 1 }, shape({ a: NE }))).toThrow(/residual/);
    expect(covers({ a: 1 }, { filter: { a: EQ, b: NE }, residual: ['b'] })).toBe(true);
  });
});
