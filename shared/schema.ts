/**
 * The data contract, in zod 4: for every entity the request schemas a client may send (insert and
 * update), and the public DTO the API answers with.
 *
 * Request schemas are strict (an unknown key is a 400, so no mass assignment), every string and
 * array is bounded, numbers have ranges, and dates parse or fail. Fields the server owns (ids,
 * owners, scores, timestamps, statuses it sets) are not in the insert schemas at all.
 * This module imports nothing outside shared/ (arrows point one way: functions -> lib -> shared).
 */
// zod/mini, not the classic API: handlers bundle these schemas, and classic zod would cost every
// cold start ~170 KB of code to load plus its per-instance methods on each schema built here. Mini
// builds the same core schemas (same checks, same messages, same JSON Schema in openapi.json).
import * as z from 'zod/mini';
// Core types by name: `z.core` used as a value would make esbuild bundle all of zod core.
import type { $RefinementCtx } from 'zod/v4/core';
import { idSchema, MAX_ID } from './id-schema';

// ---------------------------------------------------------------------------------------------
// Building blocks

export { idSchema, MAX_ID };

/** A numeric entity id in a path or query string: digits only, no sign, exponent or spaces. */
export const idParamSchema = z.pipe(
  z.pipe(
    z.string().check(z.regex(/^[1-9][0-9]{0,9}$/, 'must be a positive integer id')),
    z.transform(Number),
  ),
  idSchema,
);

/** The path of a route on one entity, `/.../{id}`. */
export const idPathSchema = z.strictObject({ id: idParamSchema });

/** Largest signed 64-bit value: the top of the Snowflake id space. */
export const MAX_SNOWFLAKE = 9_223_372_036_854_775_807n;

/** A Snowflake's only spelling: canonical decimal (no sign, spaces, exponent or leading zeros). */
export const SNOWFLAKE_TEXT = /^(?:0|[1-9][0-9]{0,18})$/;

/** A message id (Snowflake) as the API carries it: a decimal string, never a JS number. */
export const snowflakeSchema = z.string().check(
  z.regex(SNOWFLAKE_TEXT, 'must be a message id (decimal string)'),
  // zod runs this even when the regex failed, so it must not assume digits.
  z.refine(
    (value) => SNOWFLAKE_TEXT.test(value) && BigInt(value) <= MAX_SNOWFLAKE,
    'must be a message id (decimal string)',
  ),
);

/** Required text: trimmed, 1..max characters. */
export const requiredText = (max: number) =>
  z.string().check(z.trim(), z.minLength(1), z.maxLength(max));

/** Optional text that may also be null (cleared). Empty after trimming counts as null. */
export const optionalText = (max: number) =>
  z.optional(
    z.nullable(
      z.pipe(
        z.string().check(z.trim(), z.maxLength(max)),
        z.transform((value: string) => (value === '' ? null : value)),
      ),
    ),
  );

/** An http(s) URL (avatars, attachments, uploaded images). */
export const urlSchema = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .check(z.maxLength(2_048));

/** A date-time or a date in ISO-8601; anything else is a 400. Parsed to a Date. */
export const dateInputSchema = z
  .pipe(
    z.union([z.iso.datetime({ offset: true }), z.iso.date()]),
    z.transform((value: string) => new Date(value)),
  )
  .check(z.refine((date) => !Number.isNaN(date.getTime()), 'must be an ISO-8601 date'));

// ---------------------------------------------------------------------------------------------
// Users

export const userRoles = ['student', 'teacher'] as const;
export type UserRole = (typeof userRoles)[number];

export const usernameSchema = z
  .string()
  .check(
    z.trim(),
    z.minLength(3),
    z.maxLength(32),
    z.regex(/^[A-Za-z0-9_.-]+$/, 'may contain only letters, digits, _ . -'),
  );

export const passwordSchema = z.string().check(z.minLength(8), z.maxLength(128));
export const emailSchema = z.email().check(z.maxLength(254));

/** POST /auth/register. */
export const insertUserSchema = z.strictObject({
  username: usernameSchema,
  password: passwordSchema,
  name: requiredText(100),
  email: emailSchema,
  role: z._default(z.enum(userRoles), 'student'),
  class: optionalText(50),
  subject: optionalText(100),
  avatar: z.optional(z.nullable(urlSchema)),
  teacherCode: z.optional(z.string().check(z.maxLength(200))),
});
export type InsertUser = z.output<typeof insertUserSchema>;

/** POST /auth/login. Bounded but otherwise free: a wrong shape must still be a plain 401. */
export const loginSchema = z.strictObject({
  username: z.string().check(z.minLength(1), z.maxLength(254)),
  password: z.string().check(z.minLength(1), z.maxLength(128)),
});

/** A user as the API shows it: never a password, a hash, or our normalised lookup keys. */
export interface PublicUser {
  id: number;
  username: string;
  name: string;
  email: string;
  role: UserRole;
  class: string | null;
  subject: string | null;
  avatar: string | null;
  createdAt: Date;
}

// ---------------------------------------------------------------------------------------------
// Tests and questions

export const testStatuses = ['draft', 'published', 'completed'] as const;
export type TestStatus = (typeof testStatuses)[number];
export const questionTypes = ['mcq', 'short', 'long', 'numerical'] as const;
export type QuestionType = (typeof questionTypes)[number];

/** The most attempts a teacher may allow: each retake is a chance to probe MCQ keys. */
export const MAX_ATTEMPTS_LIMIT = 20;
/** One attempt unless the teacher allows more: the safe default (grades shown after it, as before). */
export const DEFAULT_MAX_ATTEMPTS = 1;

const testFields = {
  title: requiredText(200),
  description: optionalText(5_000),
  subject: requiredText(100),
  class: requiredText(50),
  totalMarks: z.number().check(z.int(), z.gte(0), z.lte(10_000)),
  duration: z.number().check(z.int(), z.gte(1), z.lte(1_440)),
  testDate: dateInputSchema,
  questionTypes: z.array(z.enum(questionTypes)).check(z.maxLength(questionTypes.length)),
  status: z.enum(testStatuses),
  maxAttempts: z
    .number()
    .check(
      z.int(),
      z.gte(1),
      z.lte(MAX_ATTEMPTS_LIMIT),
      z.describe(
        'How many attempts each student may make (1..20, default 1). A student sees the grades ' +
          '(answer scores, isCorrect, feedback, the attempt score, analytics) only once they can ' +
          'make no further attempt: every attempt used, or the test marked completed (a draft shows ' +
          'nothing), and none ' +
          'in progress. So a retake cannot be used to find the MCQ keys; raising the limit or ' +
          'publishing the test again reopens attempts to students who have seen their grades.',
      ),
    ),
};

/** POST /tests. teacherId may be sent only to name the caller (the handler refuses another). */
export const insertTestSchema = z.strictObject({
  ...testFields,
  teacherId: z.optional(idSchema),
  totalMarks: z._default(testFields.totalMarks, 100),
  duration: z._default(testFields.duration, 60),
  questionTypes: z._default(testFields.questionTypes, []),
  status: z._default(testFields.status, 'draft'),
  maxAttempts: z._default(testFields.maxAttempts, DEFAULT_MAX_ATTEMPTS),
});
export type InsertTest = z.output<typeof insertTestSchema>;

/** PATCH /tests/:id. teacherId is not a field here: the owner cannot change. */
export const updateTestSchema = z.partial(z.strictObject(testFields));
export type UpdateTest = z.output<typeof updateTestSchema>;

export interface Test {
  id: number;
  title: string;
  description: string | null;
  subject: string;
  class: string;
  teacherId: number;
  totalMarks: number;
  duration: number;
  testDate: Date;
  questionTypes: QuestionType[];
  status: TestStatus;
  /** Attempts each student may make (see testFields.maxAttempts). */
  maxAttempts: number;
  createdAt: Date;
}

const questionFields = {
  type: z.enum(questionTypes),
  text: requiredText(10_000),
  options: z.optional(
    z.nullable(z.array(requiredText(1_000)).check(z.minLength(2), z.maxLength(20))),
  ),
  correctAnswer: optionalText(10_000).check(
    z.describe(
      'For an mcq: the index of the correct option, as digits ("1"; "01" is stored as "1"). ' +
        'Otherwise a model answer for the teacher.',
    ),
  ),
  marks: z.number().check(z.gte(0), z.lte(1_000)),
  order: z.number().check(z.int(), z.gte(0), z.lte(10_000)),
  aiRubric: optionalText(10_000),
  topic: optionalText(100),
};

/**
 * An MCQ needs options, and its answer key is the index of one of them, as a string of digits.
 * "01" is accepted as the index 1 (canonicalMcqKey stores it as "1").
 */
function checkMcq(
  question: { type?: QuestionType; options?: string[] | null; correctAnswer?: string | null },
  context: $RefinementCtx,
): void {
  if (question.type !== 'mcq') return;
  if (!question.options) {
    context.addIssue({ code: 'custom', path: ['options'], message: 'an mcq needs options' });
    return;
  }
  const key = question.correctAnswer;
  if (key != null && !(/^\d{1,2}$/.test(key) && Number(key) < question.options.length)) {
    context.addIssue({
      code: 'custom',
      path: ['correctAnswer'],
      message: 'for an mcq, the index of the correct option',
    });
  }
}

/**
 * The one stored spelling of an MCQ key: the option index in canonical decimal ("01" -> "1"), so
 * the key reads the same to every consumer (grading compares numerically anyway).
 */
function canonicalMcqKey<T extends { type?: QuestionType; correctAnswer?: string | null }>(
  question: T,
): T {
  if (question.type !== 'mcq' || question.correctAnswer == null) return question;
  return { ...question, correctAnswer: String(Number(question.correctAnswer)) };
}

/** POST /questions. An MCQ key with leading zeros ("01") is stored canonically ("1"). */
export const insertQuestionSchema = z.pipe(
  z
    .strictObject({
      ...questionFields,
      testId: idSchema,
      marks: z._default(questionFields.marks, 1),
    })
    .check(z.superRefine(checkMcq)),
  z.transform(canonicalMcqKey),
);
export type InsertQuestion = z.output<typeof insertQuestionSchema>;

export interface Question {
  id: number;
  testId: number;
  type: QuestionType;
  text: string;
  options: string[] | null;
  correctAnswer: string | null;
  marks: number;
  order: number;
  aiRubric: string | null;
  topic: string | null;
}

/** What a student sees of a question: no answer key, no rubric. */
export type StudentQuestion = Omit<Question, 'correctAnswer' | 'aiRubric'>;

// ---------------------------------------------------------------------------------------------
// Attempts and answers

/**
 * The most answer writes (every version counted) one attempt may hold. Versions are never deleted
 * (the seal's ordering needs them), so without a bound a scripted student could grow an attempt
 * without end and slow every later reader of it (compute-analytics loads every version of a page
 * of attempts). 1,000 is far above honest use (a student changing each answer of a long test a
 * few times) and keeps an attempt's rows small.
 */
export const MAX_ANSWER_WRITES_PER_ATTEMPT = 1_000;

export const attemptStatuses = ['in_progress', 'completed', 'evaluated'] as const;
export type AttemptStatus = (typeof attemptStatuses)[number];

/** POST /test-attempts: the server sets the student, start time and status. */
export const insertTestAttemptSchema = z.strictObject({ testId: idSchema });

/**
 * PATCH /test-attempts/:id. A student may only send {status: 'completed'}; the owner teacher
 * {score, status: 'evaluated'}. The handler enforces who may send which.
 */
export const updateTestAttemptSchema = z.union([
  z.strictObject({ status: z.literal('completed') }),
  z.strictObject({
    status: z.literal('evaluated'),
    score: z.number().check(z.gte(0), z.lte(100_000)),
  }),
]);
export type UpdateTestAttempt = z.output<typeof updateTestAttemptSchema>;

export interface TestAttempt {
  id: number;
  testId: number;
  studentId: number;
  startTime: Date;
  endTime: Date | null;
  score: number | null;
  status: AttemptStatus;
}

/** POST /answers: what a student may say. Scores and feedback are the server's and teacher's. */
export const insertAnswerSchema = z.strictObject({
  attemptId: idSchema,
  questionId: idSchema,
  text: optionalText(20_000),
  selectedOption: z.optional(z.nullable(z.number().check(z.int(), z.gte(0), z.lte(19)))),
  imageUrl: z.optional(z.nullable(urlSchema)),
});
export type InsertAnswer = z.output<typeof insertAnswerSchema>;

/** POST /answers/:id/grade. The upper bound (the question's marks) is checked by the handler. */
export const gradeAnswerSchema = z.strictObject({
  score: z.number().check(z.gte(0), z.lte(1_000)),
  feedback: optionalText(5_000),
});
export type GradeAnswer = z.output<typeof gradeAnswerSchema>;

export interface Answer {
  id: number;
  attemptId: number;
  questionId: number;
  text: string | null;
  selectedOption: number | null;
  imageUrl: string | null;
  ocrText: string | null;
  score: number | null;
  aiConfidence: number | null;
  aiFeedback: string | null;
  /** The teacher's feedback from manual grading. */
  feedback: string | null;
  isCorrect: boolean | null;
}

// ---------------------------------------------------------------------------------------------
// Analytics (written by the scheduled compute-analytics job only; see lib/analytics/)

/** One student's analytics for one test, from their latest finished attempt at it. */
export interface Analytics {
  /** The lowest id of the attempts the row was computed from (unique: lib/storage/mongo/analytics). */
  id: number;
  userId: number;
  testId: number;
  /** The attempt these figures come from: the student's latest finished attempt at the test. */
  attemptId: number;
  /** 0..100 (one decimal); null while every answered question still waits for grading. */
  scorePercentage: number | null;
  /** Per topic (the question's topic, else its type), 0..100. */
  topicAccuracy: Record<string, number>;
  weakTopics: string[];
  strongTopics: string[];
  recommendedResources: string[];
  /** When the attempt's result last changed (completed, evaluated or an answer graded). */
  insightDate: Date;
}

/** Class statistics of one test, over each student's latest finished attempt. */
export interface TestStatistics {
  testId: number;
  /** Students with a finished attempt (each counts with their latest one). */
  attempts: number;
  mean: number | null;
  median: number | null;
  p90: number | null;
  min: number | null;
  max: number | null;
  /** Students per 10-point bucket: [0,10), [10,20), ..., [90,100] (100 falls in the last). */
  histogram: number[];
  /** The questions with the lowest share of marks earned, hardest first (ties: lower id first). */
  hardestQuestions: { questionId: number; correctRate: number }[];
  /** The newest insightDate the statistics include. */
  asOf: Date | null;
}

/** GET /tests/:id/analytics: statistics (null until the job has run) and per-student rows. */
export interface TestAnalytics {
  statistics: TestStatistics | null;
  students: Analytics[];
}

// ---------------------------------------------------------------------------------------------
// Assignments

export const assignmentStatuses = ['pending', 'started', 'completed', 'overdue'] as const;
export type AssignmentStatus = (typeof assignmentStatuses)[number];

/** POST /tests/:id/assignments: either explicit students or a whole class, and a due date. */
export const insertTestAssignmentSchema = z
  .strictObject({
    studentIds: z.optional(z.array(idSchema).check(z.minLength(1), z.maxLength(500))),
    class: z.optional(requiredText(50)),
    dueDate: dateInputSchema,
  })
  .check(
    z.refine((body) => (body.studentIds === undefined) !== (body.class === undefined), {
      message: 'give either studentIds or class',
      path: ['studentIds'],
    }),
    z.describe(
      'Assigns a published test (409 otherwise) to students who may take it: studentIds must all be ' +
        'students of the test’s class (400 naming the others under body.studentIds), and class must ' +
        'be the test’s class (400 otherwise). One assignment per (student, test), written in one bulk ' +
        'write: a new one is pending (overdue if dueDate is already past); assigning again moves the ' +
        'due date by the status rules of PATCH /api/assignments/{id}.',
    ),
  );
export type InsertTestAssignment = z.output<typeof insertTestAssignmentSchema>;

/** PATCH /assignments/:id: the student moves status on; the teacher moves the due date. */
export const updateTestAssignmentSchema = z
  .partial(z.strictObject({ status: z.enum(['started', 'completed']), dueDate: dateInputSchema }))
  .check(
    z.refine((body) => Object.keys(body).length > 0, 'nothing to change'),
    z.describe(
      'Status rules: the student sends status (pending -> started, pending or started -> ' +
        'completed); the teacher who assigned it sends dueDate (a past date makes pending or started ' +
        'overdue; a future date revives overdue to started if it had been started, else pending; ' +
        'completed is final and only its due date moves); the scheduled job makes pending or started ' +
        'overdue once past due. A refused move, or one overtaken by a concurrent change, is 409 and ' +
        'changes nothing; sending the other party’s field is 403.',
    ),
  );
export type UpdateTestAssignment = z.output<typeof updateTestAssignmentSchema>;

export interface TestAssignment {
  id: number;
  testId: number;
  studentId: number;
  assignedBy: number;
  assignedDate: Date;
  dueDate: Date;
  status: AssignmentStatus;
  notificationSent: boolean;
}

// ---------------------------------------------------------------------------------------------
// Workspaces and channels

export const insertWorkspaceSchema = z.strictObject({
  name: requiredText(100),
  description: optionalText(2_000),
});
export type InsertWorkspace = z.output<typeof insertWorkspaceSchema>;

/** POST /workspaces/:id/members. */
export const addMemberSchema = z.strictObject({ userId: idSchema });

export interface Workspace {
  id: number;
  name: string;
  description: string | null;
  ownerId: number;
  members: number[];
  createdAt: Date;
}

export const channelTypes = ['text', 'announcement', 'dm'] as const;
export type ChannelType = (typeof channelTypes)[number];

const channelFields = {
  name: requiredText(100),
  type: z._default(z.enum(['text', 'announcement']), 'text'),
  class: optionalText(50),
  subject: optionalText(100),
};

/** POST /workspaces/:id/channels (the workspace comes from the path). */
export const insertChannelSchema = z.strictObject(channelFields);
/** POST /channels (the workspace in the body). */
export const insertChannelWithWorkspaceSchema = z.strictObject({
  ...channelFields,
  workspaceId: idSchema,
});
export type InsertChannel = z.output<typeof insertChannelSchema>;

/**
 * Text without control characters (U+0000-U+001F, U+007F-U+009F): a class that JavaScript and the
 * JSON Schema tools that fuzz openapi.json (Python's re) both read, unlike `\p{Cc}`.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_FREE_TEXT = /^[^\u0000-\u001f\u007f-\u009f]*$/;

/**
 * GET /channels/query/:q: what to look for. Control characters (NUL among them) are in no name a
 * person types, and MongoDB refuses a NUL inside a pattern: they are a 400, not a failed query.
 */
export const channelQueryPathSchema = z.strictObject({
  q: z
    .string()
    .check(
      z.trim(),
      z.minLength(1),
      z.maxLength(100),
      z.regex(CONTROL_FREE_TEXT, 'must not contain control characters'),
    ),
});

/** POST /channels/dm: the other user, or both users (the caller must be one of them). */
export const dmRequestSchema = z.union([
  z.strictObject({ userId: idSchema }),
  z.strictObject({ userIds: z.tuple([idSchema, idSchema]) }),
]);

export interface Channel {
  id: number;
  /** null for a DM. */
  workspaceId: number | null;
  name: string;
  type: ChannelType;
  class: string | null;
  subject: string | null;
  /** The two users of a DM, ascending; empty for workspace channels (membership is the workspace's). */
  participants: number[];
  createdAt: Date;
}

/**
 * A channel with its pins, as the pin routes answer. Pins live in the message store (one source of
 * truth), so the handler joins them in; the channel document has no copy.
 */
export interface ChannelWithPins extends Channel {
  /** Pinned message ids (Snowflakes as decimal strings), newest message first. */
  pinnedMessages: string[];
}

/** A DM as GET /users/me/dms lists it. */
export interface DirectMessageChannel extends Channel {
  partner: Pick<PublicUser, 'id' | 'username' | 'name' | 'avatar' | 'role'> | null;
}

// ---------------------------------------------------------------------------------------------
// Messages

export const messageTypes = ['text', 'file', 'image'] as const;
export type MessageType = (typeof messageTypes)[number];
export const gradingStatuses = ['pending', 'graded'] as const;
export type GradingStatus = (typeof gradingStatuses)[number];

/** POST /messages. */
export const insertMessageSchema = z.strictObject({
  channelId: idSchema,
  // Kept as written (no trim: spacing can matter), but never blank.
  content: z.string().check(
    z.minLength(1),
    z.maxLength(4_000),
    z.refine((text) => text.trim().length > 0, 'must not be blank'),
  ),
  type: z._default(z.enum(messageTypes), 'text'),
  fileUrl: z.optional(z.nullable(urlSchema)),
  isHomework: z._default(z.boolean(), false),
});
export type InsertMessage = z.output<typeof insertMessageSchema>;

/** GET /channels/:id/messages?limit=&before=&after= */
export const messageHistoryQuerySchema = z.strictObject({
  limit: z._default(
    z.pipe(
      z.pipe(
        z.string().check(z.regex(/^[1-9][0-9]{0,2}$/, 'must be an integer 1..100')),
        z.transform(Number),
      ),
      z.number().check(z.int(), z.gte(1), z.lte(100)),
    ),
    50,
  ),
  before: z.optional(snowflakeSchema),
  after: z.optional(snowflakeSchema),
});

/** POST /messages/:id/grade. */
export const gradeMessageSchema = z.strictObject({
  channelId: idSchema,
  status: z.enum(gradingStatuses),
});
/** POST /messages/:id/read and DELETE /messages/:id?channelId= */
export const messageChannelSchema = z.strictObject({ channelId: idSchema });

export interface Message {
  /** Snowflake, as a decimal string. */
  id: string;
  channelId: number;
  authorId: number;
  content: string;
  type: MessageType;
  fileUrl: string | null;
  isPinned: boolean;
  isHomework: boolean;
  gradingStatus: GradingStatus | null;
  readBy: number[];
  createdAt: Date;
}
