/**
 * AnalyticsJobStore over in-memory data, for the benchmark only: it answers each call the way an
 * index would on MongoDB (a sorted array, hash maps), so a run measures the job's own cost (its
 * loop, the formulas, the batching, its memory) without a database's. It keeps the store's
 * contract (keyset order, newest (attempt, revision) wins, lowest id, versioned statistics); the
 * real store is tested against the real engine in tests/integration/compute-analytics.
 */
import type {
  AnalyticsJobStore,
  AnalyticsWatermark,
  FinishedAttempt,
  StoredStudentResult,
  StudentFigures,
  TestFacts,
} from '../lib/storage/analytics-job-store';
import type { TestStatistics } from '../shared/schema';
import { answerDocs, attemptDocs, questionDocs, testDocs } from './analytics-data';

type Attempt = ReturnType<typeof attemptDocs>[number];
type Answer = ReturnType<typeof answerDocs>[number];

const after = (a: AnalyticsWatermark, b: AnalyticsWatermark) =>
  a.changedAt.getTime() - b.changedAt.getTime() || a.attemptId - b.attemptId;

export class InMemoryAnalyticsStore implements AnalyticsJobStore {
  private readonly attempts: Attempt[]; // in (resultChangedAt, id) order
  private readonly answers = new Map<number, Answer[]>();
  private readonly facts = new Map<number, TestFacts>();
  private readonly rows = new Map<
    string,
    { id: number; testId: number; userId: number; current: StudentFigures }
  >();
  private readonly byTest = new Map<number, Set<string>>();
  private readonly stats = new Map<
    number,
    { version: number; dirty: boolean; statsVersion: number; statistics?: TestStatistics }
  >();
  private watermark: AnalyticsWatermark | null = null;

  constructor(attemptCount: number) {
    this.attempts = attemptDocs(0, attemptCount);
    for (const answer of answerDocs(0, attemptCount)) {
      const list = this.answers.get(answer.attemptId) ?? [];
      list.push(answer);
      this.answers.set(answer.attemptId, list);
    }
    const questions = questionDocs(attemptCount);
    for (const test of testDocs(attemptCount)) {
      this.facts.set(test.id, { id: test.id, totalMarks: test.totalMarks, questions: [] });
    }
    for (const q of questions) this.facts.get(q.testId)?.questions.push(q);
  }

  async getWatermark() {
    return this.watermark;
  }

  async advanceWatermark(to: AnalyticsWatermark) {
    if (!this.watermark || after(to, this.watermark) > 0) this.watermark = to;
  }

  async *finishedAttemptPages(from: AnalyticsWatermark | null, until: Date, pageSize: number) {
    // Binary search for the first attempt after `from`: what the (resultChangedAt, id) index does.
    let low = 0;
    let high = this.attempts.length;
    while (from && low < high) {
      const mid = (low + high) >> 1;
      const a = this.attempts[mid] as Attempt;
      if (after({ changedAt: a.resultChangedAt, attemptId: a.id }, from) <= 0) low = mid + 1;
      else high = mid;
    }
    let page: FinishedAttempt[] = [];
    for (let i = low; i < this.attempts.length; i += 1) {
      const a = this.attempts[i] as Attempt;
      if (a.resultChangedAt > until) break;
      page.push({
        id: a.id,
        studentId: a.studentId,
        testId: a.testId,
        score: a.score,
        revision: a.resultRevision,
        changedAt: a.resultChangedAt,
        answers: (this.answers.get(a.id) ?? []).map((x) => ({
          questionId: x.questionId,
          score: x.score,
        })),
      });
      if (page.length === pageSize) {
        yield page;
        page = [];
      }
    }
    if (page.length > 0) yield page;
  }

  async getTestFacts(testIds: readonly number[]) {
    return new Map(
      testIds.flatMap((id) => (this.facts.has(id) ? [[id, this.facts.get(id) as TestFacts]] : [])),
    );
  }

  async writeStudentFigures(
    rows: readonly { userId: number; testId: number; figures: StudentFigures }[],
  ) {
    for (const { userId, testId, figures } of rows) {
      const key = `${userId}:${testId}`;
      const stored = this.rows.get(key);
      if (!stored) {
        this.rows.set(key, { id: figures.attemptId, userId, testId, current: figures });
        const keys = this.byTest.get(testId) ?? new Set<string>();
        keys.add(key);
        this.byTest.set(testId, keys);
        continue;
      }
      stored.id = Math.min(stored.id, figures.attemptId);
      const newer =
        figures.attemptId - stored.current.attemptId || figures.revision - stored.current.revision;
      if (newer > 0) stored.current = figures;
    }
  }

  async markTestsDirty(testIds: readonly number[]) {
    for (const testId of new Set(testIds)) {
      const s = this.stats.get(testId) ?? { version: 0, dirty: false, statsVersion: 0 };
      s.version += 1;
      s.dirty = true;
      this.stats.set(testId, s);
    }
  }

  async dirtyTests(limit: number) {
    return [...this.stats]
      .filter(([, s]) => s.dirty)
      .sort(([a], [b]) => a - b)
      .slice(0, limit)
      .map(([testId, s]) => ({ testId, version: s.version }));
  }

  async *studentResultsOfTests(testIds: readonly number[], pageSize: number) {
    let page: StoredStudentResult[] = [];
    for (const testId of [...testIds].sort((a, b) => a - b)) {
      const keys = [...(this.byTest.get(testId) ?? [])].map((k) => this.rows.get(k));
      keys.sort((a, b) => (a?.userId ?? 0) - (b?.userId ?? 0));
      for (const row of keys) {
        if (!row) continue;
        page.push({
          testId,
          scorePercentage: row.current.scorePercentage,
          questionScores: row.current.questionScores,
          insightDate: row.current.insightDate,
        });
        if (page.length === pageSize) {
          yield* page;
          page = [];
        }
      }
    }
    yield* page;
  }

  async writeTestStatistics(version: number, statistics: TestStatistics) {
    const s = this.stats.get(statistics.testId);
    if (!s) return;
    if (version > s.statsVersion) Object.assign(s, { statsVersion: version, statistics });
    if (s.version === version) s.dirty = false;
  }
}
