/**
 * IStorage: everything handlers and jobs ask of the domain data (all but chat messages, which live
 * behind the message-store interface), one interface per area, each implemented by one module of
 * lib/storage/mongo. Not found is `undefined`; a broken uniqueness rule or a refused state change
 * is a StorageConflictError; an unreachable database is a DatabaseUnavailableError. No method ever
 * returns a password or its hash.
 */

import type {
  Analytics,
  Answer,
  AssignmentStatus,
  AttemptStatus,
  Channel,
  DirectMessageChannel,
  InsertQuestion,
  InsertTest,
  PublicUser,
  Question,
  Test,
  TestAssignment,
  TestAttempt,
  TestStatistics,
  TestStatus,
  UpdateTest,
  UserRole,
  Workspace,
} from '../../shared/schema';
import type { AssignmentMove } from '../assignments/status';
import type { Logger } from '../logger';

// ---------------------------------------------------------------------------------------------
// Users

export interface NewUser {
  username: string;
  password: string;
  name: string;
  email: string;
  role: UserRole;
  class?: string | null;
  subject?: string | null;
  avatar?: string | null;
}

export interface UserStorage {
  getUser(id: number): Promise<PublicUser | undefined>;
  getUserByUsername(username: string): Promise<PublicUser | undefined>;
  getUsersByIds(ids: number[]): Promise<PublicUser[]>;
  getUsersByClass(className: string): Promise<PublicUser[]>;
  /** Hashes the password; StorageConflictError('username' | 'email') when taken (in any case). */
  createUser(user: NewUser): Promise<PublicUser>;
  /**
   * The user when username and password match, else undefined (same time either way). A matching
   * hash made at another cost than the configured one is replaced by one at that cost; failing
   * to store it is logged on `log`, never an error.
   */
  verifyCredentials(
    username: string,
    password: string,
    log?: Logger,
  ): Promise<PublicUser | undefined>;
}

// ---------------------------------------------------------------------------------------------
// Tests and their questions

export type NewTest = Omit<InsertTest, 'teacherId'> & { teacherId: number };

export interface TestStorage {
  createTest(test: NewTest): Promise<Test>;
  getTest(id: number): Promise<Test | undefined>;
  /** The tests of these ids that exist, in no particular order. */
  getTestsByIds(ids: number[]): Promise<Test[]>;
  /** A teacher's tests, newest first. */
  getTestsByTeacher(teacherId: number, status?: TestStatus): Promise<Test[]>;
  /** Tests of a class, newest first; drafts only when asked for. */
  getTestsByClass(
    className: string,
    options?: { status?: TestStatus; includeDrafts?: boolean },
  ): Promise<Test[]>;
  updateTest(id: number, change: UpdateTest): Promise<Test | undefined>;
  createQuestion(question: InsertQuestion): Promise<Question>;
  getQuestion(id: number): Promise<Question | undefined>;
  /** Sorted by `order`, then id. */
  getQuestionsByTest(testId: number): Promise<Question[]>;
}

// ---------------------------------------------------------------------------------------------
// Attempts and their answers

export interface AttemptChange {
  status: AttemptStatus;
  /** Apply only from one of these states (else StorageConflictError('status')). */
  from?: AttemptStatus[];
  score?: number | null;
  endTime?: Date | null;
}

/** One answer per (attempt, question); the server decides score and isCorrect for MCQs. */
export interface AnswerInput {
  attemptId: number;
  questionId: number;
  text?: string | null;
  selectedOption?: number | null;
  imageUrl?: string | null;
  score?: number | null;
  isCorrect?: boolean | null;
}

export type AnswerChange = Partial<
  Pick<Answer, 'score' | 'feedback' | 'isCorrect' | 'aiFeedback' | 'aiConfidence' | 'ocrText'>
>;

export interface AttemptStorage {
  /**
   * Starts the student's next attempt (numbered 1, 2, ...). StorageConflictError('attempt') when
   * they already have one in progress for this test, StorageConflictError('attemptLimit') when they
   * have made `maxAttempts` already; both hold under concurrent calls (unique keys).
   */
  createTestAttempt(attempt: {
    testId: number;
    studentId: number;
    maxAttempts: number;
  }): Promise<TestAttempt>;
  getTestAttempt(id: number): Promise<TestAttempt | undefined>;
  getTestAttemptsByStudent(studentId: number, testId?: number): Promise<TestAttempt[]>;
  updateTestAttempt(id: number, change: AttemptChange): Promise<TestAttempt | undefined>;
  /**
   * Creates or replaces the one answer of (attempt, question). StorageConflictError('attempt') once
   * the attempt is finished, StorageConflictError('answer', ANSWER_LIMIT_REACHED) past its bound on
   * writes.
   */
  upsertAnswer(answer: AnswerInput): Promise<Answer>;
  getAnswer(id: number): Promise<Answer | undefined>;
  getAnswersByAttempt(attemptId: number): Promise<Answer[]>;
  updateAnswer(id: number, change: AnswerChange): Promise<Answer | undefined>;
  /**
   * Makes sure a finished attempt refuses every further answer write (idempotent; nothing for an
   * attempt in progress or unknown). Completion does this itself; this heals a completion that
   * changed the status but failed before sealing. updateTestAttempt and updateAnswer do it too.
   */
  sealFinishedAttempt(attemptId: number): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Assignments

export interface AssignmentInput {
  testId: number;
  studentIds: number[];
  assignedBy: number;
  dueDate: Date;
}

export interface AssignmentFilter {
  studentId?: number;
  testId?: number;
  assignedBy?: number;
  status?: AssignmentStatus;
}

/** A student's status move or a teacher's due-date move (lib/assignments/status). */
export type AssignmentChange = Exclude<AssignmentMove, { by: 'job' }>;

export interface AssignmentStorage {
  /**
   * One assignment per (student, test), in the order of `studentIds` (each once): new ones in one
   * bulk write with ids taken in one step; existing ones get the teacher's due-date move of
   * lib/assignments/status. StorageConflictError('assignment') if some kept changing meanwhile.
   */
  assignTest(assignment: AssignmentInput): Promise<TestAssignment[]>;
  getTestAssignment(id: number): Promise<TestAssignment | undefined>;
  getTestAssignments(filter: AssignmentFilter): Promise<TestAssignment[]>;
  /**
   * Applies the move if lib/assignments/status allows it from the current state, atomically:
   * StorageConflictError('status') when the machine refuses it or the assignment changed meanwhile.
   */
  updateTestAssignment(id: number, change: AssignmentChange): Promise<TestAssignment | undefined>;
  /**
   * Pending or started assignments due before `now` become overdue (the job's edges of
   * lib/assignments/status); how many changed. Idempotent; one that moved meanwhile is left.
   */
  markOverdueAssignments(now: Date): Promise<number>;
}

// ---------------------------------------------------------------------------------------------
// Analytics

/** The read side: only the compute-analytics job writes analytics (see analytics-job-store). */
export interface AnalyticsStorage {
  /** Newest insightDate first. */
  getAnalyticsByUser(userId: number): Promise<Analytics[]>;
  /** By student id. */
  getAnalyticsByTest(testId: number): Promise<Analytics[]>;
  /** undefined until compute-analytics has counted a result of the test. */
  getTestStatistics(testId: number): Promise<TestStatistics | undefined>;
}

// ---------------------------------------------------------------------------------------------
// Workspaces, their channels, and direct messages

export interface NewWorkspace {
  name: string;
  description?: string | null;
  ownerId: number;
  members?: number[];
}

export interface NewChannel {
  workspaceId: number;
  name: string;
  type: 'text' | 'announcement';
  class?: string | null;
  subject?: string | null;
}

export interface WorkspaceStorage {
  createWorkspace(workspace: NewWorkspace): Promise<Workspace>;
  getWorkspace(id: number): Promise<Workspace | undefined>;
  /** Workspaces the user is a member of, oldest first. */
  getWorkspaces(userId: number): Promise<Workspace[]>;
  addMemberToWorkspace(workspaceId: number, userId: number): Promise<Workspace | undefined>;
  /** StorageConflictError('owner') for the owner. */
  removeMemberFromWorkspace(workspaceId: number, userId: number): Promise<Workspace | undefined>;

  createChannel(channel: NewChannel): Promise<Channel>;
  getChannel(id: number): Promise<Channel | undefined>;
  /** createdAt ascending. */
  getChannelsByWorkspace(workspaceId: number): Promise<Channel[]>;
  /** Exactly one DM per pair, even under concurrent calls. InvalidOperationError for a == b. */
  getOrCreateDMChannel(a: number, b: number): Promise<Channel>;
  /** The user's DMs with their partner, newest first: two queries whatever the number of DMs. */
  getDMsByUser(userId: number): Promise<DirectMessageChannel[]>;
  /**
   * Channels in the user's workspaces whose class equals `query` or whose name or subject
   * contains it (case-insensitive).
   */
  searchChannels(userId: number, query: string): Promise<Channel[]>;
}

/** Every area at once: what `storage` of lib/storage is. */
export interface IStorage
  extends UserStorage,
    TestStorage,
    AttemptStorage,
    AssignmentStorage,
    AnalyticsStorage,
    WorkspaceStorage {}
