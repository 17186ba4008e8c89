/**
 * What the compute-analytics job asks of the database: finished attempts in the order their
 * results changed, the facts of their tests, and idempotent writes of the figures it derives.
 * The job (lib/analytics/compute-job) holds the logic; this interface only moves data.
 */
import type { TestStatistics } from '../../shared/schema';

/** How far the job has got: every finished attempt at or before this position is counted. */
export interface AnalyticsWatermark {
  changedAt: Date;
  attemptId: number;
}

/** A finished (completed or evaluated) attempt with its answers, as the formulas need it. */
export interface FinishedAttempt {
  id: number;
  studentId: number;
  testId: number;
  /** A teacher's overall score (evaluated attempts), else null. */
  score: number | null;
  /** Grows with every change to the attempt's result; the newest revision's figures win. */
  revision: number;
  changedAt: Date;
  answers: { questionId: number; score: number | null }[];
}

export interface TestFacts {
  id: number;
  totalMarks: number;
  questions: { id: number; marks: number; topic: string | null; type: string }[];
}

/** One student's figures for one test, from one revision of one attempt. */
export interface StudentFigures {
  attemptId: number;
  revision: number;
  insightDate: Date;
  scorePercentage: number | null;
  topicAccuracy: Record<string, number>;
  weakTopics: string[];
  strongTopics: string[];
  recommendedResources: string[];
  questionScores: { questionId: number; earned: number; possible: number }[];
}

export interface StudentFiguresRow {
  userId: number;
  testId: number;
  figures: StudentFigures;
}

/** What the class statistics read back of each student's row. */
export interface StoredStudentResult {
  testId: number;
  scorePercentage: number | null;
  questionScores: StudentFigures['questionScores'];
  insightDate: Date;
}

export interface AnalyticsJobStore {
  getWatermark(): Promise<AnalyticsWatermark | null>;
  /** Moves the watermark forward to `to`; never back (a slower concurrent run cannot undo it). */
  advanceWatermark(to: AnalyticsWatermark): Promise<void>;
  /**
   * Finished attempts whose result changed after `after` and no later than `until`, oldest change
   * first (ties by id), in pages of at most `pageSize` with their answers.
   */
  finishedAttemptPages(
    after: AnalyticsWatermark | null,
    until: Date,
    pageSize: number,
  ): AsyncIterable<FinishedAttempt[]>;
  /** Tests that no longer exist are absent from the map. */
  getTestFacts(testIds: readonly number[]): Promise<Map<number, TestFacts>>;
  /**
   * Stores each row unless the stored one comes from a newer attempt or revision. Any order and
   * any repetition of the same writes leave the same result.
   */
  writeStudentFigures(rows: readonly StudentFiguresRow[]): Promise<void>;
  /** Records that these tests' statistics must be recomputed (after their rows are written). */
  markTestsDirty(testIds: readonly number[]): Promise<void>;
  /** Up to `limit` tests waiting for their statistics, with the version to compute. */
  dirtyTests(limit: number): Promise<{ testId: number; version: number }[]>;
  /**
   * The stored rows of these tests, in test order (all of one test, then the next), read
   * `pageSize` at a time (a big class is never held whole).
   */
  studentResultsOfTests(
    testIds: readonly number[],
    pageSize: number,
  ): AsyncIterable<StoredStudentResult>;
  /**
   * Stores statistics computed at `version` unless newer ones are stored, and clears the dirty
   * mark if no row changed since `version` was read.
   */
  writeTestStatistics(version: number, statistics: TestStatistics): Promise<void>;
}
