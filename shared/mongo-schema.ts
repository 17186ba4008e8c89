/**
 * Mongoose models: the original's collections and fields, plus the keys and indexes the queries
 * and the uniqueness rules need.
 *
 * Uniqueness is always a unique index checked on insert, because that is the one thing every
 * MongoDB-compatible engine does atomically (FerretDB 1.x, our local engine, runs findAndModify
 * and updates as a read followed by a separate write). So rules like "one DM per pair" or "one
 * attempt in progress per student and test" are expressed as a unique key field, not as a
 * check-then-insert. Indexes are created at deploy and at local-stack start by
 * lib/storage/mongo/indexes.ts (`autoIndex` is off in Lambda).
 */
import { type Model, model, models, Schema } from 'mongoose';
import {
  type Answer,
  type Channel,
  DEFAULT_MAX_ATTEMPTS,
  type PublicUser,
  type Question,
  type Test,
  type TestAssignment,
  type TestAttempt,
  type TestStatistics,
  type Workspace,
} from './schema';

// `id: false`: our numeric `id` path replaces Mongoose's string `id` virtual.
const options = {
  versionKey: false,
  strict: 'throw',
  id: false,
  autoIndex: false,
  autoCreate: false,
} as const;

/** Reuses a compiled model (tests and serverless-offline can load this module more than once). */
function define<T>(name: string, schema: Schema<T>, collection: string): Model<T> {
  return (models[name] as Model<T> | undefined) ?? model<T>(name, schema, collection);
}

// --- counters -----------------------------------------------------------------------------------

export interface CounterDoc {
  _id: string;
  seq: number;
}
export const CounterModel = define(
  'Counter',
  new Schema<CounterDoc>({ _id: String, seq: { type: Number, default: 0 } }, options),
  'counters',
);

/** One document per id handed out: the insert is what makes an id unique on every engine. */
export interface CounterClaimDoc {
  _id: string;
  name: string;
  n: number;
}
const counterClaimSchema = new Schema<CounterClaimDoc>(
  { _id: String, name: { type: String, required: true }, n: { type: Number, required: true } },
  options,
);
counterClaimSchema.index({ name: 1, n: -1 });
export const CounterClaimModel = define('CounterClaim', counterClaimSchema, 'counter_claims');

/** The sequence names of the original (counters collection `_id`s). */
export const sequences = {
  user: 'user_id',
  test: 'test_id',
  question: 'question_id',
  attempt: 'attempt_id',
  answer: 'answer_id',
  assignment: 'assignment_id',
  workspace: 'workspace_id',
  channel: 'channel_id',
} as const;
export type SequenceName = (typeof sequences)[keyof typeof sequences];

const id = { type: Number, required: true } as const;
const nullableString = { type: String, default: null } as const;

// --- users ----------------------------------------------------------------------------------------

/** A stored user: the public fields plus what never leaves lib/storage. */
export interface UserDoc extends PublicUser {
  /** Lower-cased username: the unique, case-insensitive lookup key. */
  usernameKey: string;
  /** scrypt$logN$r$p$salt$hash; never leaves lib/storage. */
  passwordHash: string;
  /** Lower-cased email: unique, case-insensitive. */
  emailKey: string;
}
const userSchema = new Schema<UserDoc>(
  {
    id,
    username: { type: String, required: true },
    usernameKey: { type: String, required: true },
    passwordHash: { type: String, required: true },
    name: { type: String, required: true },
    email: { type: String, required: true },
    emailKey: { type: String, required: true },
    role: { type: String, enum: ['student', 'teacher'], default: 'student' },
    class: nullableString,
    subject: nullableString,
    avatar: nullableString,
    createdAt: { type: Date, default: Date.now },
  },
  options,
);
userSchema.index({ id: 1 }, { unique: true });
userSchema.index({ usernameKey: 1 }, { unique: true });
userSchema.index({ emailKey: 1 }, { unique: true });
userSchema.index({ role: 1, class: 1, id: 1 });
export const UserModel = define('User', userSchema, 'users');

// --- tests and questions --------------------------------------------------------------------------

export type TestDoc = Test;
const testSchema = new Schema<TestDoc>(
  {
    id,
    title: { type: String, required: true },
    description: nullableString,
    subject: { type: String, required: true },
    class: { type: String, required: true },
    teacherId: { type: Number, required: true },
    totalMarks: { type: Number, default: 100 },
    duration: { type: Number, default: 60 },
    testDate: { type: Date, required: true },
    questionTypes: { type: [String], default: [] },
    status: { type: String, enum: ['draft', 'published', 'completed'], default: 'draft' },
    maxAttempts: { type: Number, default: DEFAULT_MAX_ATTEMPTS },
    createdAt: { type: Date, default: Date.now },
  },
  options,
);
testSchema.index({ id: 1 }, { unique: true });
// A teacher's and a class's tests, newest first, with and without a status filter.
testSchema.index({ teacherId: 1, createdAt: -1, id: -1 });
testSchema.index({ teacherId: 1, status: 1, createdAt: -1, id: -1 });
testSchema.index({ class: 1, createdAt: -1, id: -1 });
testSchema.index({ class: 1, status: 1, createdAt: -1, id: -1 });
export const TestModel = define('Test', testSchema, 'tests');

export type QuestionDoc = Question;
const questionSchema = new Schema<QuestionDoc>(
  {
    id,
    testId: { type: Number, required: true },
    type: { type: String, enum: ['mcq', 'short', 'long', 'numerical'], required: true },
    text: { type: String, required: true },
    options: { type: [String], default: null },
    correctAnswer: nullableString,
    marks: { type: Number, default: 1 },
    order: { type: Number, required: true },
    aiRubric: nullableString,
    topic: nullableString,
  },
  options,
);
questionSchema.index({ id: 1 }, { unique: true });
questionSchema.index({ testId: 1, order: 1, id: 1 });
export const QuestionModel = define('Question', questionSchema, 'questions');

// --- attempts and answers -------------------------------------------------------------------------

export interface TestAttemptDoc extends TestAttempt {
  /**
   * `studentId:testId` while in progress, `closed:<id>` after: its unique index allows at most
   * one attempt in progress per (student, test), atomically.
   */
  activeKey: string;
  /**
   * 1, 2, ... per (student, test), unique with them: the attempt limit is a claim on a number
   * no higher than the test's maxAttempts, so concurrent starts can never exceed it.
   */
  attemptNumber: number;
  /**
   * Bumped (with resultChangedAt) by every change to the attempt's result: completion,
   * evaluation, an answer graded. compute-analytics reads attempts in (resultChangedAt, id) order
   * from its watermark, and a higher revision of the same attempt always wins (see
   * lib/storage/mongo/analytics).
   */
  resultRevision: number;
  resultChangedAt: Date;
}
const testAttemptSchema = new Schema<TestAttemptDoc>(
  {
    id,
    testId: { type: Number, required: true },
    studentId: { type: Number, required: true },
    startTime: { type: Date, default: Date.now },
    endTime: { type: Date, default: null },
    score: { type: Number, default: null },
    status: {
      type: String,
      enum: ['in_progress', 'completed', 'evaluated'],
      default: 'in_progress',
    },
    activeKey: { type: String, required: true },
    attemptNumber: { type: Number, required: true },
    resultRevision: { type: Number, default: 0 },
    resultChangedAt: { type: Date, default: Date.now },
  },
  options,
);
testAttemptSchema.index({ id: 1 }, { unique: true });
testAttemptSchema.index({ resultChangedAt: 1, id: 1 });
testAttemptSchema.index({ activeKey: 1 }, { unique: true });
testAttemptSchema.index({ studentId: 1, testId: 1, attemptNumber: 1 }, { unique: true });
// A student's and a test's attempts, oldest first.
testAttemptSchema.index({ studentId: 1, startTime: 1, id: 1 });
testAttemptSchema.index({ testId: 1, startTime: 1, id: 1 });
export const TestAttemptModel = define('TestAttempt', testAttemptSchema, 'testattempts');

/** The activeKey of an attempt (see TestAttemptDoc). */
export function attemptActiveKey(attempt: {
  id: number;
  studentId: number;
  testId: number;
  status: string;
}): string {
  return attempt.status === 'in_progress'
    ? `${attempt.studentId}:${attempt.testId}`
    : `closed:${attempt.id}`;
}

/**
 * One version of an answer, or an attempt's seal. Rows are only ever inserted while the attempt
 * is open, each at the attempt's next `seq` (unique with attemptId); completion inserts the seal
 * at the next seq, after which no insert can succeed (lib/storage/mongo/attempts.ts explains why
 * this, and not an update, decides the race). An answer's current version is its highest seq;
 * earlier versions keep its id and stay (a re-answer is one more small row).
 */
export interface AnswerDoc extends Answer {
  /** 1, 2, ... per attempt over all its rows: the order of writes, unique per attempt. */
  seq: number;
  /** True only on the seal (id and questionId 0): never an answer, never listed or counted. */
  sealed?: boolean;
}
const answerSchema = new Schema<AnswerDoc>(
  {
    id,
    seq: { type: Number, required: true },
    sealed: { type: Boolean },
    attemptId: { type: Number, required: true },
    questionId: { type: Number, required: true },
    text: nullableString,
    selectedOption: { type: Number, default: null },
    imageUrl: nullableString,
    ocrText: nullableString,
    score: { type: Number, default: null },
    aiConfidence: { type: Number, default: null },
    aiFeedback: nullableString,
    feedback: nullableString,
    isCorrect: { type: Boolean, default: null },
  },
  options,
);
// Not unique: an answer's versions share its id (ids come from the counter, unique anyway).
answerSchema.index({ id: 1, seq: -1 });
answerSchema.index({ attemptId: 1, seq: 1 }, { unique: true });
// An answer write reads the question's current version (not the attempt's every row).
answerSchema.index({ attemptId: 1, questionId: 1, seq: -1 });
export const AnswerModel = define('Answer', answerSchema, 'answers');

// --- analytics and assignments --------------------------------------------------------------------

/** A student's figures for a test, as stored (the Analytics DTO is derived from `current`). */
export interface StudentFiguresDoc {
  // attemptId and revision come first: `$max` compares embedded documents field by field, so the
  // newest attempt, then the newest revision of it, wins (lib/storage/mongo/analytics).
  attemptId: number;
  revision: number;
  insightDate: Date;
  scorePercentage: number | null;
  /** An array, not an object: topics are free text and may contain '.' or '$'. */
  topicAccuracy: { topic: string; accuracy: number }[];
  weakTopics: string[];
  strongTopics: string[];
  recommendedResources: string[];
  /** Per counted question: what the class statistics add up. */
  questionScores: { questionId: number; earned: number; possible: number }[];
}

export interface AnalyticsDoc {
  /** `<userId>:<testId>`: the upsert key, served from the primary index on every engine. */
  _id: string;
  id: number;
  userId: number;
  testId: number;
  current: StudentFiguresDoc;
}
const analyticsSchema = new Schema<AnalyticsDoc>(
  {
    _id: String,
    id,
    userId: { type: Number, required: true },
    testId: { type: Number, required: true },
    current: { type: Schema.Types.Mixed, required: true },
  },
  options,
);
analyticsSchema.index({ id: 1 }, { unique: true });
analyticsSchema.index({ userId: 1, 'current.insightDate': -1, id: -1 });
analyticsSchema.index({ testId: 1, userId: 1 });
export const AnalyticsModel = define('Analytics', analyticsSchema, 'analytics');

/** Class statistics of a test, and whether new results wait to be counted. */
export interface TestStatisticsDoc {
  _id: number;
  /** Incremented each time the job writes rows of the test (after writing them). */
  version: number;
  /** True while `stats.version` may be older than `version`. */
  dirty: boolean;
  stats?: Omit<TestStatistics, 'testId'> & { version: number };
}
const testStatisticsSchema = new Schema<TestStatisticsDoc>(
  {
    _id: Number,
    version: { type: Number, default: 0 },
    dirty: { type: Boolean, default: false },
    stats: { type: Schema.Types.Mixed },
  },
  options,
);
testStatisticsSchema.index({ dirty: 1, _id: 1 });
export const TestStatisticsModel = define(
  'TestStatistics',
  testStatisticsSchema,
  'test_statistics',
);

/** Progress of a scheduled job: how far through its input it has got. */
export interface JobStateDoc {
  _id: string;
  watermark: { changedAt: Date; attemptId: number };
}
export const JobStateModel = define(
  'JobState',
  new Schema<JobStateDoc>({ _id: String, watermark: { type: Schema.Types.Mixed } }, options),
  'job_state',
);

/**
 * A stored assignment: the DTO plus what the status machine needs. Every change of status or due
 * date moves `revision` on by one, and only the writer that inserted the transition claim of the
 * new revision (below) may write it.
 */
export interface TestAssignmentDoc extends TestAssignment {
  /** Changes so far (absent on documents written before it existed: read as 0). */
  revision?: number;
  /** When the student started it; an overdue assignment revived by its teacher resumes there. */
  startedAt?: Date | null;
}
const testAssignmentSchema = new Schema<TestAssignmentDoc>(
  {
    id,
    testId: { type: Number, required: true },
    studentId: { type: Number, required: true },
    assignedBy: { type: Number, required: true },
    assignedDate: { type: Date, default: Date.now },
    dueDate: { type: Date, required: true },
    status: {
      type: String,
      enum: ['pending', 'started', 'completed', 'overdue'],
      default: 'pending',
    },
    notificationSent: { type: Boolean, default: false },
    revision: { type: Number, default: 0 },
    startedAt: { type: Date, default: null },
  },
  options,
);
testAssignmentSchema.index({ id: 1 }, { unique: true });
testAssignmentSchema.index({ studentId: 1, testId: 1 }, { unique: true });
// A student's and a teacher's lists, soonest due first (status is checked on the rows found).
testAssignmentSchema.index({ studentId: 1, dueDate: 1, id: 1 });
testAssignmentSchema.index({ assignedBy: 1, dueDate: 1, id: 1 });
testAssignmentSchema.index({ assignedBy: 1, testId: 1, dueDate: 1, id: 1 });
// The overdue job: open assignments by due date.
testAssignmentSchema.index({ status: 1, dueDate: 1 });
export const TestAssignmentModel = define(
  'TestAssignment',
  testAssignmentSchema,
  'testassignments',
);

/**
 * One document per change of an assignment, `_id` = `<assignment id>:<revision>`: inserting it is
 * the claim that lets exactly one writer move an assignment from revision r to r + 1 (an insert
 * against a unique key is atomic on every engine, a conditional update is not on FerretDB 1.x).
 * It records the state written, so a claim whose writer died before writing can be completed by
 * the next writer, and the documents together are the assignment's history.
 */
export interface AssignmentTransitionDoc {
  _id: string;
  assignmentId: number;
  revision: number;
  by: 'student' | 'teacher' | 'job';
  from: TestAssignment['status'];
  to: TestAssignment['status'];
  dueDate: Date;
  startedAt: Date | null;
  at: Date;
}
const assignmentTransitionSchema = new Schema<AssignmentTransitionDoc>(
  {
    _id: String,
    assignmentId: { type: Number, required: true },
    revision: { type: Number, required: true },
    by: { type: String, enum: ['student', 'teacher', 'job'], required: true },
    from: { type: String, required: true },
    to: { type: String, required: true },
    dueDate: { type: Date, required: true },
    startedAt: { type: Date, default: null },
    at: { type: Date, required: true },
  },
  options,
);
assignmentTransitionSchema.index({ assignmentId: 1, revision: 1 });
export const AssignmentTransitionModel = define(
  'AssignmentTransition',
  assignmentTransitionSchema,
  'assignment_transitions',
);

// --- workspaces and channels ----------------------------------------------------------------------

export type WorkspaceDoc = Workspace;
const workspaceSchema = new Schema<WorkspaceDoc>(
  {
    id,
    name: { type: String, required: true },
    description: nullableString,
    ownerId: { type: Number, required: true },
    members: { type: [Number], default: [] },
    createdAt: { type: Date, default: Date.now },
  },
  options,
);
workspaceSchema.index({ id: 1 }, { unique: true });
workspaceSchema.index({ members: 1, createdAt: 1, id: 1 });
export const WorkspaceModel = define('Workspace', workspaceSchema, 'workspaces');

export interface ChannelDoc extends Channel {
  /** `dm:<a>:<b>` for a DM (unique: one DM per pair), `channel:<id>` otherwise. */
  uniqueKey: string;
}
const channelSchema = new Schema<ChannelDoc>(
  {
    id,
    workspaceId: { type: Number, default: null },
    name: { type: String, required: true },
    type: { type: String, enum: ['text', 'announcement', 'dm'], default: 'text' },
    class: nullableString,
    subject: nullableString,
    participants: { type: [Number], default: [] },
    uniqueKey: { type: String, required: true },
    createdAt: { type: Date, default: Date.now },
  },
  options,
);
channelSchema.index({ id: 1 }, { unique: true });
channelSchema.index({ uniqueKey: 1 }, { unique: true });
channelSchema.index({ workspaceId: 1, createdAt: 1, id: 1 });
channelSchema.index({ participants: 1, type: 1, createdAt: -1, id: -1 });
export const ChannelModel = define('Channel', channelSchema, 'channels');

/** The unique key of the DM between two users, whatever their order. */
export function dmKey(a: number, b: number): string {
  return `dm:${Math.min(a, b)}:${Math.max(a, b)}`;
}

// --- messages (the MongoDB message store, used when no Cassandra is configured) -------------------

export interface MessageDoc {
  /**
   * The Snowflake in decimal: point look-ups by `_id` alone are the one filter FerretDB's SQLite
   * backend serves from an index (every other filter is a collection scan there).
   */
  _id: string;
  /** The same Snowflake as a 64-bit integer, for ordering and range queries. */
  id: bigint;
  channelId: number;
  authorId: number;
  content: string;
  type: 'text' | 'file' | 'image';
  fileUrl: string | null;
  isHomework: boolean;
  gradingStatus: 'pending' | 'graded' | null;
  readBy: number[];
  /** The Snowflake's time (kept for people reading the collection; the id is the truth). */
  createdAt: Date;
}
const messageSchema = new Schema<MessageDoc>(
  {
    _id: { type: String, required: true },
    id: { type: Schema.Types.BigInt, required: true },
    channelId: { type: Number, required: true },
    authorId: { type: Number, required: true },
    content: { type: String, required: true },
    type: { type: String, enum: ['text', 'file', 'image'], default: 'text' },
    fileUrl: nullableString,
    isHomework: { type: Boolean, default: false },
    gradingStatus: { type: String, enum: ['pending', 'graded', null], default: null },
    readBy: { type: [Number], default: [] },
    createdAt: { type: Date, required: true },
  },
  options,
);
messageSchema.index({ id: 1 }, { unique: true });
messageSchema.index({ channelId: 1, id: -1 });
export const MessageModel = define('Message', messageSchema, 'messages');

/** A pin takes one of a channel's 50 slots; both unique keys make the cap and "once" atomic. */
export interface MessagePinDoc {
  channelId: number;
  slot: number;
  messageId: bigint;
}
const messagePinSchema = new Schema<MessagePinDoc>(
  {
    channelId: { type: Number, required: true },
    slot: { type: Number, required: true },
    messageId: { type: Schema.Types.BigInt, required: true },
  },
  options,
);
messagePinSchema.index({ channelId: 1, slot: 1 }, { unique: true });
messagePinSchema.index({ channelId: 1, messageId: 1 }, { unique: true });
export const MessagePinModel = define('MessagePin', messagePinSchema, 'message_pins');

/**
 * A user's read position in a channel: every message up to `upTo` is theirs or has them in readBy
 * (a cache of readBy the message store keeps). One document per advance, `_id`
 * `channel:user:message`, and the position is the highest: an insert against the unique `_id` is
 * the one write every engine makes atomic, so concurrent advances can never move the position back
 * (FerretDB runs `$max` as a read then a write). Documents below a higher one are deleted after it
 * is written.
 */
export interface MessageReadMarkDoc {
  _id: string;
  channelId: number;
  userId: number;
  upTo: bigint;
}
const messageReadMarkSchema = new Schema<MessageReadMarkDoc>(
  {
    _id: { type: String, required: true },
    channelId: { type: Number, required: true },
    userId: { type: Number, required: true },
    upTo: { type: Schema.Types.BigInt, required: true },
  },
  options,
);
messageReadMarkSchema.index({ channelId: 1, userId: 1, upTo: -1 });
export const MessageReadMarkModel = define(
  'MessageReadMark',
  messageReadMarkSchema,
  'message_read_marks',
);

/** What lib/storage/mongo/indexes.ts needs of a model. */
export interface IndexedModel {
  modelName: string;
  schema: Schema;
  collection: { name: string };
}

/** Every model whose indexes lib/storage/mongo/indexes.ts maintains. */
export const allModels: readonly IndexedModel[] = [
  CounterModel,
  CounterClaimModel,
  UserModel,
  TestModel,
  QuestionModel,
  TestAttemptModel,
  AnswerModel,
  AnalyticsModel,
  TestStatisticsModel,
  JobStateModel,
  TestAssignmentModel,
  AssignmentTransitionModel,
  WorkspaceModel,
  ChannelModel,
  MessageModel,
  MessagePinModel,
  MessageReadMarkModel,
];
