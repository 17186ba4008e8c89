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

export interface StudentAnalytics {
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
  };
}

export interface TestStatistics {
  attempts: number;
  mean: number | null;
  median: number | null;
  p90: number | null;
  min: number | null;
  max: number | null;
  /** Counts per 10-point bucket: [0,10), [10,20), ..., [90,100] (100 falls in the last). */
  histogram: number[];
  /** The questions with the lowest share of marks earned, hardest first (ties: lower id first). */
  hardestQuestions: { questionId: number; correctRate: number }[];
}

/** The p-th percentile by nearest rank (p in 0..100) of ascending `sorted`. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

/** Class statistics over one result per student (their percentage; nulls are not counted). */
export function testStatistics(
  questions: QuestionFacts[],
  attempts: AttemptFacts[],
  percentages: (number | null)[],
): TestStatistics {
  const scores = percentages.filter((p): p is number => p !== null).sort((a, b) => a - b);
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

  const perQuestion = new Map<number, { earned: number; possible: number }>();
  for (const attempt of attempts) {
    for (const { question, earned, possible } of countedQuestions(questions, attempt.answers)) {
      const sum = perQuestion.get(question.id) ?? { earned: 0, possible: 0 };
      perQuestion.set(question.id, {
        earned: sum.earned + earned,
        possible: sum.possible + possible,
      });
    }
  }
  const hardestQuestions = [...perQuestion]
    .filter(([, s]) => s.possible > 0)
    .map(([questionId, s]) => ({ questionId, correctRate: round1((s.earned / s.possible) * 100) }))
    .sort((a, b) => a.correctRate - b.correctRate || a.questionId - b.questionId)
    .slice(0, HARDEST_COUNT);

  return {
    attempts: attempts.length,
    mean: scores.length ? round1(scores.reduce((a, b) => a + b, 0) / scores.length) : null,
    median,
    p90: percentile(scores, 90),
    min: scores[0] ?? null,
    max: scores.at(-1) ?? null,
    histogram,
    hardestQuestions,
  };
}
