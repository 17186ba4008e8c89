/**
 * What every route answers on success, as zod schemas of the JSON on the wire (dates as ISO-8601
 * strings, message ids as decimal strings), keyed by the function name in serverless.yml.
 *
 * They document the responses in openapi.json (scripts/openapi-document.ts) and let tests and
 * `npm run verify:hostile` (schemathesis) check real responses against them. Handlers never import
 * this module: a handler's bundle carries only the code it runs (cold starts), and the DTO types
 * the handlers return are the interfaces in schema.ts. Objects are strict, so a field a DTO mapper
 * adds (or leaks, like an answer key) without its schema here fails those checks.
 */
import * as z from 'zod';
import { TICKET_TTL_SECONDS } from './realtime-schema';
import {
  assignmentStatuses,
  attemptStatuses,
  channelTypes,
  gradingStatuses,
  MAX_ANSWER_WRITES_PER_ATTEMPT,
  messageTypes,
  questionTypes,
  testStatuses,
  userRoles,
} from './schema';

/** Names the DTO schemas: openapi.json defines each once under components.schemas. */
export const responseRegistry = z.registry<{ id: string }>();

function named<T extends z.ZodType>(id: string, schema: T): T {
  responseRegistry.add(schema, { id });
  return schema;
}

/** An entity id on the wire (also in the WebSocket events, shared/realtime-events.ts). */
export const id = z.number().int().positive();
const dateTime = z.iso.datetime();
/** A message id: a Snowflake as a decimal string. */
export const snowflake = z.string().regex(/^(?:0|[1-9][0-9]{0,18})$/);

export const userResponse = named(
  'User',
  z.strictObject({
    id,
    username: z.string(),
    name: z.string(),
    email: z.string(),
    role: z.enum(userRoles),
    class: z.string().nullable(),
    subject: z.string().nullable(),
    avatar: z.string().nullable(),
    createdAt: dateTime,
  }),
);

export const testResponse = named(
  'Test',
  z.strictObject({
    id,
    title: z.string(),
    description: z.string().nullable(),
    subject: z.string(),
    class: z.string(),
    teacherId: id,
    totalMarks: z.number(),
    duration: z.number(),
    testDate: dateTime,
    questionTypes: z.array(z.enum(questionTypes)),
    status: z.enum(testStatuses),
    maxAttempts: z.number().int().min(1),
    createdAt: dateTime,
  }),
);

const studentQuestionFields = {
  id,
  testId: id,
  type: z.enum(questionTypes),
  text: z.string(),
  options: z.array(z.string()).nullable(),
  marks: z.number(),
  order: z.number().int(),
  topic: z.string().nullable(),
};
export const questionResponse = named(
  'Question',
  z.strictObject({
    ...studentQuestionFields,
    correctAnswer: z.string().nullable(),
    aiRubric: z.string().nullable(),
  }),
);
/** A question as its test's students see it: no answer key, no rubric. */
export const studentQuestionResponse = named(
  'StudentQuestion',
  z.strictObject(studentQuestionFields),
);

export const attemptResponse = named(
  'TestAttempt',
  z.strictObject({
    id,
    testId: id,
    studentId: id,
    startTime: dateTime,
    endTime: dateTime.nullable(),
    score: z.number().nullable(),
    status: z.enum(attemptStatuses),
  }),
);

const pendingAnswerFields = {
  id,
  attemptId: id,
  questionId: id,
  text: z.string().nullable(),
  selectedOption: z.number().int().nullable(),
  imageUrl: z.string().nullable(),
};
export const answerResponse = named(
  'Answer',
  z.strictObject({
    ...pendingAnswerFields,
    ocrText: z.string().nullable(),
    score: z.number().nullable(),
    aiConfidence: z.number().nullable(),
    aiFeedback: z.string().nullable(),
    feedback: z.string().nullable(),
    isCorrect: z.boolean().nullable(),
  }),
);
/**
 * An answer as its student sees it while its grade is withheld: the attempt is in progress, or
 * the student may still make another attempt at the test (see Test.maxAttempts).
 */
export const pendingAnswerResponse = named('PendingAnswer', z.strictObject(pendingAnswerFields));

export const assignmentResponse = named(
  'TestAssignment',
  z.strictObject({
    id,
    testId: id,
    studentId: id,
    assignedBy: id,
    assignedDate: dateTime,
    dueDate: dateTime,
    status: z.enum(assignmentStatuses),
    notificationSent: z.boolean(),
  }),
);

const percentage = z.number().min(0).max(100);
export const analyticsResponse = named(
  'Analytics',
  z.strictObject({
    id,
    userId: id,
    testId: id,
    attemptId: id,
    scorePercentage: percentage.nullable(),
    topicAccuracy: z.record(z.string(), percentage),
    weakTopics: z.array(z.string()),
    strongTopics: z.array(z.string()),
    recommendedResources: z.array(z.string()),
    insightDate: dateTime,
  }),
);

export const testStatisticsResponse = named(
  'TestStatistics',
  z.strictObject({
    testId: id,
    attempts: z.number().int().min(0),
    mean: percentage.nullable(),
    median: percentage.nullable(),
    p90: percentage.nullable(),
    min: percentage.nullable(),
    max: percentage.nullable(),
    histogram: z.array(z.number().int().min(0)).length(10),
    hardestQuestions: z.array(z.strictObject({ questionId: id, correctRate: z.number() })),
    asOf: dateTime.nullable(),
  }),
);

export const workspaceResponse = named(
  'Workspace',
  z.strictObject({
    id,
    name: z.string(),
    description: z.string().nullable(),
    ownerId: id,
    members: z.array(id),
    createdAt: dateTime,
  }),
);

const channelFields = {
  id,
  workspaceId: id.nullable(),
  name: z.string(),
  type: z.enum(channelTypes),
  class: z.string().nullable(),
  subject: z.string().nullable(),
  participants: z.array(id),
  createdAt: dateTime,
};
export const channelResponse = named('Channel', z.strictObject(channelFields));
export const channelWithPinsResponse = named(
  'ChannelWithPins',
  z.strictObject({ ...channelFields, pinnedMessages: z.array(snowflake) }),
);
export const directMessageChannelResponse = named(
  'DirectMessageChannel',
  z.strictObject({
    ...channelFields,
    partner: z
      .strictObject({
        id,
        username: z.string(),
        name: z.string(),
        avatar: z.string().nullable(),
        role: z.enum(userRoles),
      })
      .nullable(),
  }),
);

export const messageResponse = named(
  'Message',
  z.strictObject({
    id: snowflake,
    channelId: id,
    authorId: id,
    content: z.string(),
    type: z.enum(messageTypes),
    fileUrl: z.string().nullable(),
    isPinned: z.boolean(),
    isHomework: z.boolean(),
    gradingStatus: z.enum(gradingStatuses).nullable(),
    readBy: z.array(id),
    createdAt: dateTime,
  }),
);

/** POST /api/realtime/ticket: what a client puts in `?ticket=` to open a WebSocket connection. */
export const realtimeTicketResponse = named(
  'RealtimeTicket',
  z.strictObject({ ticket: z.string().min(1), expiresAt: dateTime }),
);

export interface SuccessResponse {
  status: 200 | 201 | 204;
  description: string;
  /** The JSON body; none for 204. */
  schema?: z.ZodType;
}

const ok = (description: string, schema: z.ZodType): SuccessResponse => ({
  status: 200,
  description,
  schema,
});
const created = (description: string, schema: z.ZodType): SuccessResponse => ({
  status: 201,
  description,
  schema,
});
const noContent = (description: string): SuccessResponse => ({ status: 204, description });

/** Every HTTP function's success response, by its name in serverless.yml (not-found has none). */
export const successResponses: Record<string, SuccessResponse> = {
  'get-health': ok(
    'Every store answers',
    z.strictObject({
      mongo: z.literal('ok'),
      messages: z.literal('ok'),
      sessions: z.literal('ok'),
    }),
  ),
  'get-openapi': ok(
    'This document',
    z.looseObject({ openapi: z.literal('3.1.0'), paths: z.record(z.string(), z.unknown()) }),
  ),
  'get-asyncapi': ok(
    'The AsyncAPI 3.0 document of the WebSocket API (real-time chat): how to connect, the ' +
      'frames a client sends and the events the server sends',
    z.looseObject({ asyncapi: z.literal('3.0.0'), channels: z.record(z.string(), z.unknown()) }),
  ),
  register: created('The new user (a session cookie is set)', userResponse),
  login: ok('The user (a new session cookie is set)', userResponse),
  logout: noContent('Session ended, cookie cleared'),
  'get-me': ok('The caller', userResponse),
  'get-my-dms': ok('The caller’s DM channels', z.array(directMessageChannelResponse)),
  'create-test': created('The new test', testResponse),
  'list-tests': ok('Tests the caller may see', z.array(testResponse)),
  'get-test': ok('The test', testResponse),
  'update-test': ok('The updated test', testResponse),
  'create-question': created('The new question', questionResponse),
  'list-test-questions': ok(
    'The questions by order (students get no key or rubric)',
    z.array(z.union([questionResponse, studentQuestionResponse])),
  ),
  'create-attempt': created(
    'The new attempt. 409 ATTEMPT_IN_PROGRESS while another is in progress, 409 ' +
      'ATTEMPT_LIMIT_REACHED once the test’s maxAttempts are used (both hold under concurrent starts)',
    attemptResponse,
  ),
  'update-attempt': ok(
    'The updated attempt (for its student, score is null while grades are withheld)',
    attemptResponse,
  ),
  'submit-answer': created(
    'The answer as its student sees it (no grade while the attempt is in progress). 409 ' +
      'ATTEMPT_NOT_IN_PROGRESS once the attempt is completed: an answer racing the completion ' +
      'is either counted in the result or refused, never stored after it. 409 ' +
      `ANSWER_LIMIT_REACHED once the attempt has had ${MAX_ANSWER_WRITES_PER_ATTEMPT} answer ` +
      'writes (every re-answer ' +
      'counts): the attempt takes no more answers and keeps those it has',
    z.union([answerResponse, pendingAnswerResponse]),
  ),
  'list-attempt-answers': ok(
    'The attempt’s answers as the caller may see them: its student gets PendingAnswer (no ' +
      'score, isCorrect or feedback) until they can make no further attempt at the test ' +
      '(every maxAttempts used, or the test marked completed; a draft shows nothing) and none is ' +
      'in progress',
    z.array(z.union([answerResponse, pendingAnswerResponse])),
  ),
  'grade-answer': ok('The graded answer', answerResponse),
  'create-workspace': created('The new workspace', workspaceResponse),
  'list-workspaces': ok('The caller’s workspaces', z.array(workspaceResponse)),
  'get-workspace': ok('The workspace', workspaceResponse),
  'add-member': ok('The workspace with the new member', workspaceResponse),
  'remove-member': ok('The workspace without the member', workspaceResponse),
  'create-workspace-channel': created('The new channel', channelResponse),
  'list-channels': ok('The workspace’s channels, oldest first', z.array(channelResponse)),
  'create-channel': created('The new channel', channelResponse),
  'search-channels': ok('Matching channels', z.array(channelResponse)),
  'open-dm': ok('The DM channel', channelResponse),
  'send-message': created('The new message', messageResponse),
  'list-messages': ok('A page of messages, oldest first', z.array(messageResponse)),
  'delete-message': noContent('Deleted'),
  'pin-message': ok('The channel with its pins', channelWithPinsResponse),
  'list-pinned': ok('Pinned messages, newest first', z.array(messageResponse)),
  'grade-message': ok('The updated message', messageResponse),
  'mark-read': ok(
    'The updated message, the caller in its readBy (idempotent). Only this message is marked read: earlier ones stay unread until marked themselves',
    messageResponse,
  ),
  'unread-count': ok(
    'Messages by others that do not have the caller in readBy (exact up to 1,000). For a caller who has read everything it costs the same however long the channel’s history',
    z.strictObject({
      unreadCount: z.number().int().min(0).max(1_000),
      capped: z.literal(true).optional(),
    }),
  ),
  'create-assignments': created(
    'The assignments, one per student in request order (the whole class: each of its students)',
    z.array(assignmentResponse),
  ),
  'list-assignments': ok('Assignments, soonest due first', z.array(assignmentResponse)),
  'update-assignment': ok(
    'The assignment after the move (409 when the status rules refuse it)',
    assignmentResponse,
  ),
  'get-my-analytics': ok(
    'The caller’s analytics, newest first; a test’s row only once its grades are the ' +
      'student’s to see (no further attempt possible, none in progress)',
    z.array(analyticsResponse),
  ),
  'create-realtime-ticket': created(
    'A ticket for one WebSocket connection (`?ticket=` on the upgrade request), for clients ' +
      'that cannot send the session cookie with it: random, single use, bound to the caller’s ' +
      `session, valid until expiresAt (at most ${TICKET_TTL_SECONDS} s ahead); logout voids ` +
      'the session’s unused tickets. See GET /api/asyncapi.json',
    realtimeTicketResponse,
  ),
  'get-test-analytics': ok(
    'Class statistics (null until computed) and every student’s analytics',
    z.strictObject({
      statistics: testStatisticsResponse.nullable(),
      students: z.array(analyticsResponse),
    }),
  ),
};
