/**
 * The analytics formulas, pure: what compute-analytics stores per (student, test) and per test.
 * No I/O here, so every rule is unit-tested on hand-computed fixtures.
 *
 * How a question counts in an attempt:
 * - answered and graded (score set): earns score / marks;
 * - not answered: earns 0 of its marks (skipping is not a way to raise a percentage);
 * - answered but not graded yet (score null): left out of numerator and denominator until a
 *   teacher grades it (unknown is not wrong).
 * A question's topic is its `topic`, or its type when it has none.
 */
import type { TestStatistics as TestStatisticsDto } from '../../shared/schema';

export interface QuestionFacts {
  id: number;
  marks: number;
  topic: string | null;
  type: string;
}

export interface AnswerFacts {
  questionId: number;
  score: number | null;
}

export interface AttemptFacts {
  studentId: number;
  /** A teacher's overall score on the test's scale (evaluated attempts), else null. */
  score: number | null;
  answers: AnswerFacts[];
}

export const WEAK_BELOW = 50;
export const STRONG_FROM = 80;
export const HARDEST_COUNT = 5;

/** Marks earned of one counted question in one attempt (what the class statistics add up). */
export interface QuestionScore {
  questionId: number;
  earned: number;
  possible: number;
}

/** What the class statistics need of one student's result. */
export interface StudentResult {
  scorePercentage: number | null;
  questionScores: QuestionScore[];
}

export interface StudentAnalytics extends StudentResult {
  /** 0..100, one decimal; null when nothing in the attempt can be counted yet. */
  scorePercentage: number | null;
  /** Per topic, 0..100 (one decimal). */
  topicAccuracy: Record<string, number>;
  weakTopics: string[];
  strongTopics: string[];
  recommendedResources: string[];
}

const round1 = (value: number) => Math.round(value * 10) / 10;
const topicOf = (q: QuestionFacts) => (q.topic && q.topic.trim() !== '' ? q.topic : q.type);

/** Earned and possible marks of each counted question of one attempt. */
function countedQuestions(questions: QuestionFacts[], answers: AnswerFacts[]) {
  const byQuestion = new Map(answers.map((a) => [a.questionId, a]));
  return questions.flatMap((q) => {
    const answer = byQuestion.get(q.id);
    if (answer && answer.score === null) return []; // waiting for a teacher
    const earned = answer ? Math.min(Math.max(answer.score ?? 0, 0), q.marks) : 0;
    return [{ question: q, earned, possible: q.marks }];
  });
}

/**
 * The deterministic resource for a weak topic: the topic's page in the resource library, by slug
 * ("Forces & motion" → /resources/topics/forces-motion). The same topic always maps to the same page.
 */
export function resourceFor(topic: string): string {
  const slug = topic
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // accents go, letters stay: "Équations" → "equations"
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `/resources/topics/${slug || 'general'}`;
}

/** Analytics of one student's attempt at a test. */
export function studentAnalytics(
  questions: QuestionFacts[],
  attempt: AttemptFacts,
  totalMarks: number,
): StudentAnalytics {
  const counted = countedQuestions(questions, attempt.answers);
  const byTopic = new Map<string, { earned: number; possible: number }>();
  for (const { question, earned, possible } of counted) {
    const topic = topicOf(question);
    const sum = byTopic.get(topic) ?? { earned: 0, possible: 0 };
    byTopic.set(topic, { earned: sum.earned + earned, possible: sum.possible + possible });
  }
  const topicAccuracy: Record<string, number> = {};
  for (const [topic, { earned, possible }] of [...byTopic].sort(([a], [b]) => a.localeCompare(b))) {
    if (possible > 0) topicAccuracy[topic] = round1((earned / possible) * 100);
  }
  const questionScores = counted
    .map(({ question, earned, possible }) => ({ questionId: question.id, earned, possible }))
    .sort((a, b) => a.questionId - b.questionId);
  const earned = counted.reduce((sum, c) => sum + c.earned, 0);
  const possible = counted.reduce((sum, c) => sum + c.possible, 0);
  // A teacher's overall score, when there is one, is the attempt's result on the test's scale.
  const scorePercentage =
    attempt.score !== null && totalMarks > 0
      ? round1(Math.min(100, Math.max(0, (attempt.score / totalMarks) * 100)))
      : possible > 0
        ? round1((earned / possible) * 100)
        : null;
  const weakTopics = Object.keys(topicAccuracy).filter(
    (t) => (topicAccuracy[t] as number) < WEAK_BELOW,
  );
  const strongTopics = Object.keys(topicAccuracy).filter(
    (t) => (topicAccuracy[t] as number) >= STRONG_FROM,
  );
  return {
    scorePercentage,
    topicAccuracy,
    weakTopics,
    strongTopics,
    recommendedResources: [...new Set(weakTopics.map(resourceFor))],
    questionScores,
  };
}

/** The computed part of a test's statistics (the DTO adds the test id and the date). */
export type TestStatistics = Omit<TestStatisticsDto, 'testId' | 'asOf'>;

/** The p-th percentile by nearest rank (p in 0..100) of ascending `sorted`. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

/**
 * Class statistics, fed one student result at a time so a test with many students needs memory
 * for its percentages and one sum per question, not for its answers.
 */
export class TestStatisticsBuilder {
  private readonly scores: number[] = [];
  private readonly perQuestion = new Map<number, { earned: number; possible: number }>();
  private results = 0;

  add(result: StudentResult): void {
    this.results += 1;
    if (result.scorePercentage !== null) this.scores.push(result.scorePercentage);
    for (const { questionId, earned, possible } of result.questionScores) {
      const sum = this.perQuestion.get(questionId) ?? { earned: 0, possible: 0 };
      sum.earned += earned;
      sum.possible += possible;
      this.perQuestion.set(questionId, sum);
    }
  }

  build(): TestStatistics {
    const scores = [...this.scores].sort((a, b) => a - b);
    const histogram = Array.from({ length: 10 }, () => 0);
    for (const score of scores) {
      const bucket = Math.min(9, Math.floor(score / 10));
      histogram[bucket] = (histogram[bucket] ?? 0) + 1;
    }
    const middle = scores.length / 2;
    const median =
      scores.length === 0
        ? null
        : scores.length % 2 === 1
          ? (scores[Math.floor(middle)] as number)
          : round1(((scores[middle - 1] as number) + (scores[middle] as number)) / 2);
    const hardestQuestions = [...this.perQuestion]
      .filter(([, s]) => s.possible > 0)
      .map(([questionId, s]) => ({
        questionId,
        correctRate: round1((s.earned / s.possible) * 100),
      }))
      .sort((a, b) => a.correctRate - b.correctRate || a.questionId - b.questionId)
      .slice(0, HARDEST_COUNT);
    return {
      attempts: this.results,
      mean: scores.length ? round1(scores.reduce((a, b) => a + b, 0) / scores.length) : null,
      median,
      p90: percentile(scores, 90),
      min: scores[0] ?? null,
      max: scores.at(-1) ?? null,
      histogram,
      hardestQuestions,
    };
  }
}

/** Class statistics over one result per student (percentages that are null are not counted). */
export function testStatistics(results: Iterable<StudentResult>): TestStatistics {
  const builder = new TestStatisticsBuilder();
  for (const result of results) builder.add(result);
  return builder.build();
}
