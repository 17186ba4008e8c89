/**
 * compute-analytics: turns finished attempts into per-student analytics and per-test statistics.
 *
 * 1. Attempts whose result changed after the persisted watermark (and before `now - settle`) are
 *    read oldest change first, in pages. Each page's figures are written, the page's tests are
 *    marked dirty, then the watermark moves past the page. A run that stops (time is up, a crash)
 *    leaves the watermark at the last page it finished; the next run resumes there.
 * 2. Dirty tests get their statistics recomputed from the stored rows, a bounded group at a time.
 *
 * Every write is keyed (student and test, or test) and newest-wins (lib/storage/mongo/analytics),
 * so re-running a page, resuming, or two runs at once all end in the state one run reaches.
 *
 * Why `settle`: an attempt's resultChangedAt is stamped by its writer just before the write commits.
 * If the watermark moved past a stamp whose write had not committed yet, that change would be
 * skipped for good. Reading only changes older than `settle` (far longer than a write takes)
 * closes that gap at the price of a short delay.
 */
import type {
  AnalyticsJobStore,
  FinishedAttempt,
  StudentFiguresRow,
  TestFacts,
} from '../storage/analytics-job-store';
import { studentAnalytics, TestStatisticsBuilder } from './formulas';

export const DEFAULT_PAGE_SIZE = 500;
export const DEFAULT_TESTS_PER_PASS = 100;
/** Test facts kept across pages of one run (a page usually repeats the same few tests). */
export const DEFAULT_MAX_CACHED_TESTS = 2_000;

export interface ComputeAnalyticsOptions {
  store: AnalyticsJobStore;
  now?: () => Date;
  /** Results that changed less than this long ago are left for a later run (config: 60 s). */
  settleMs: number;
  /** Attempts, and stored rows, read per query: what bounds the run's memory. */
  pageSize?: number;
  /** Tests whose statistics are computed together (one query for all their rows). */
  testsPerPass?: number;
  /** Tests whose questions are kept in memory between pages. */
  maxCachedTests?: number;
  /**
   * Asked after each page is read and before it is written, and before each test's statistics
   * are written; true ends the run there (time is up). Nothing half-done is left behind.
   */
  shouldStop?: () => boolean;
}

export interface ComputeAnalyticsSummary {
  /** Finished attempts read. */
  processed: number;
  /**
   * Student rows sent to the store (a stored row from a newer attempt or revision is kept as it
   * is); attempts of tests that no longer exist are skipped.
   */
  written: number;
  skipped: number;
  /** Tests whose statistics were recomputed. */
  tests: number;
  /** False when the run stopped early; the next one resumes from the watermark. */
  complete: boolean;
  durationMs: number;
}

interface ClassResults {
  builder: TestStatisticsBuilder;
  /** The newest insightDate seen, in ms (0: none). */
  asOf: number;
}

function figuresOf(attempt: FinishedAttempt, test: TestFacts): StudentFiguresRow {
  const analytics = studentAnalytics(test.questions, attempt, test.totalMarks);
  return {
    userId: attempt.studentId,
    testId: attempt.testId,
    figures: {
      attemptId: attempt.id,
      revision: attempt.revision,
      // When the result last changed: the same on every run, so re-runs write identical rows.
      insightDate: attempt.changedAt,
      ...analytics,
    },
  };
}

export async function computeAnalytics(
  options: ComputeAnalyticsOptions,
): Promise<ComputeAnalyticsSummary> {
  const started = performance.now();
  const {
    store,
    now = () => new Date(),
    settleMs,
    pageSize = DEFAULT_PAGE_SIZE,
    testsPerPass = DEFAULT_TESTS_PER_PASS,
    maxCachedTests = DEFAULT_MAX_CACHED_TESTS,
    shouldStop = () => false,
  } = options;
  const summary = { processed: 0, written: 0, skipped: 0, tests: 0, complete: true };
  const until = new Date(now().getTime() - settleMs);
  const watermark = await store.getWatermark();
  const facts = new Map<number, TestFacts>();

  for await (const page of store.finishedAttemptPages(watermark, until, pageSize)) {
    if (shouldStop()) {
      summary.complete = false;
      break;
    }
    const pageTests = [...new Set(page.map((a) => a.testId))];
    let missing = pageTests.filter((id) => !facts.has(id));
    if (facts.size + missing.length > maxCachedTests) {
      facts.clear(); // then the whole page's tests are missing, not only the new ones
      missing = pageTests;
    }
    for (const [id, test] of await store.getTestFacts(missing)) facts.set(id, test);

    const rows: StudentFiguresRow[] = [];
    for (const attempt of page) {
      const test = facts.get(attempt.testId);
      if (test) rows.push(figuresOf(attempt, test));
      else summary.skipped += 1;
    }
    // Rows, then dirty marks, then the watermark: a stop between any two repeats work next run
    // but never loses it.
    if (rows.length > 0) {
      await store.writeStudentFigures(rows);
      await store.markTestsDirty(rows.map((r) => r.testId));
    }
    const last = page.at(-1) as FinishedAttempt;
    await store.advanceWatermark({ changedAt: last.changedAt, attemptId: last.id });
    summary.processed += page.length;
    summary.written += rows.length;
  }

  // Statistics of every dirty test, including those a stopped earlier run left behind.
  const computed = new Map<number, number>(); // testId → version computed in this run
  const writeStatistics = async (testId: number, version: number, class_: ClassResults) => {
    await store.writeTestStatistics(version, {
      testId,
      ...class_.builder.build(),
      asOf: class_.asOf > 0 ? new Date(class_.asOf) : null,
    });
    computed.set(testId, version);
    summary.tests += 1;
  };
  passes: while (summary.complete) {
    if (shouldStop()) {
      summary.complete = false;
      break;
    }
    // Normally a test computed in this run is clean now or dirty at a newer version. Skipping one
    // still dirty at the version computed (a lost clear, or FerretDB's non-atomic updates) keeps
    // this loop from spinning on it; the next run takes it again.
    const dirty = (await store.dirtyTests(testsPerPass + computed.size)).filter(
      (d) => computed.get(d.testId) !== d.version,
    );
    if (dirty.length === 0) break;
    const group = new Map(dirty.slice(0, testsPerPass).map((d) => [d.testId, d.version]));
    // Rows arrive in test order: each test's statistics are written as soon as its rows end, so
    // a stop loses at most the test in hand.
    let current: (ClassResults & { testId: number }) | undefined;
    for await (const result of store.studentResultsOfTests([...group.keys()], pageSize)) {
      if (current && current.testId !== result.testId) {
        await writeStatistics(current.testId, group.get(current.testId) as number, current);
        group.delete(current.testId);
        current = undefined;
        if (shouldStop()) {
          summary.complete = false;
          break passes;
        }
      }
      current ??= { testId: result.testId, builder: new TestStatisticsBuilder(), asOf: 0 };
      current.builder.add(result);
      current.asOf = Math.max(current.asOf, result.insightDate.getTime());
    }
    if (current) {
      await writeStatistics(current.testId, group.get(current.testId) as number, current);
      group.delete(current.testId);
    }
    // Dirty tests without a single row (their rows went with their test): empty statistics.
    for (const [testId, version] of group) {
      await writeStatistics(testId, version, { builder: new TestStatisticsBuilder(), asOf: 0 });
    }
  }

  return { ...summary, durationMs: Math.round(performance.now() - started) };
}
