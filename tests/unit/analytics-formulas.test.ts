/** The analytics formulas on hand-computed fixtures. */
import { describe, expect, it } from 'vitest';
import {
  type AttemptFacts,
  percentile,
  type QuestionFacts,
  resourceFor,
  studentAnalytics,
  testStatistics,
} from '../../lib/analytics/formulas';

// Test of 10 marks: two gravity MCQs (2 marks each), one friction short answer (4), one numerical
// question without a topic (2): its topic is its type.
const questions: QuestionFacts[] = [
  { id: 1, marks: 2, topic: 'gravity', type: 'mcq' },
  { id: 2, marks: 2, topic: 'gravity', type: 'mcq' },
  { id: 3, marks: 4, topic: 'friction', type: 'short' },
  { id: 4, marks: 2, topic: null, type: 'numerical' },
];
const attempt = (
  answers: AttemptFacts['answers'],
  score: number | null = null,
  studentId = 1,
): AttemptFacts => ({
  studentId,
  score,
  answers,
});

describe('studentAnalytics', () => {
  it('computes the percentage and per-topic accuracy, with weak and strong topics', () => {
    // gravity 2+0 of 4 = 50 %, friction 1 of 4 = 25 %, numerical 2 of 2 = 100 %; total 5 of 10.
    const result = studentAnalytics(
      questions,
      attempt([
        { questionId: 1, score: 2 },
        { questionId: 2, score: 0 },
        { questionId: 3, score: 1 },
        { questionId: 4, score: 2 },
      ]),
      10,
    );
    expect(result).toEqual({
      scorePercentage: 50,
      topicAccuracy: { friction: 25, gravity: 50, numerical: 100 },
      weakTopics: ['friction'],
      strongTopics: ['numerical'],
      recommendedResources: ['/resources/topics/friction'],
      questionScores: [
        { questionId: 1, earned: 2, possible: 2 },
        { questionId: 2, earned: 0, possible: 2 },
        { questionId: 3, earned: 1, possible: 4 },
        { questionId: 4, earned: 2, possible: 2 },
      ],
    });
  });

  it('counts an unanswered question as 0 and leaves an ungraded one out until it is graded', () => {
    // q1 2/2, q2 unanswered 0/2, q3 ungraded (out), q4 1/2: 3 of 6 = 50 %.
    const result = studentAnalytics(
      questions,
      attempt([
        { questionId: 1, score: 2 },
        { questionId: 3, score: null },
        { questionId: 4, score: 1 },
      ]),
      10,
    );
    expect(result.scorePercentage).toBe(50);
    expect(result.topicAccuracy).toEqual({ gravity: 50, numerical: 50 });
    expect(result.weakTopics).toEqual([]);
    expect(result.strongTopics).toEqual([]);
    expect(result.questionScores.map((q) => q.questionId)).toEqual([1, 2, 4]);
  });

  it('uses the teacher’s overall score on the test’s scale when the attempt was evaluated', () => {
    const result = studentAnalytics(questions, attempt([{ questionId: 1, score: 2 }], 7, 1), 10);
    expect(result.scorePercentage).toBe(70);
    expect(studentAnalytics(questions, attempt([], 12), 10).scorePercentage).toBe(100);
  });

  it('has no percentage for an empty test or an attempt with only ungraded answers', () => {
    expect(studentAnalytics([], attempt([]), 10)).toEqual({
      scorePercentage: null,
      topicAccuracy: {},
      weakTopics: [],
      strongTopics: [],
      recommendedResources: [],
      questionScores: [],
    });
    const onlyPending = studentAnalytics(
      [questions[2] as QuestionFacts],
      attempt([{ questionId: 3, score: null }]),
      4,
    );
    expect(onlyPending.scorePercentage).toBeNull();
  });

  it('caps a score above the marks and treats the 50/80 boundaries as documented', () => {
    const boundary = studentAnalytics(
      [
        { id: 1, marks: 10, topic: 'a', type: 'short' },
        { id: 2, marks: 10, topic: 'b', type: 'short' },
      ],
      attempt([
        { questionId: 1, score: 5 }, // exactly 50: not weak
        { questionId: 2, score: 99 }, // capped at 10: 100
      ]),
      20,
    );
    expect(boundary.topicAccuracy).toEqual({ a: 50, b: 100 });
    expect(boundary.weakTopics).toEqual([]);
    expect(boundary.strongTopics).toEqual(['b']);
  });
});

describe('resourceFor', () => {
  it('maps a topic to one stable slug', () => {
    expect(resourceFor('Forces & motion')).toBe('/resources/topics/forces-motion');
    expect(resourceFor('  Équations ')).toBe('/resources/topics/equations');
    expect(resourceFor('!!!')).toBe('/resources/topics/general');
  });
});

/** Results with only a percentage, for the statistics that use nothing else. */
const percentages = (...values: (number | null)[]) =>
  values.map((scorePercentage) => ({ scorePercentage, questionScores: [] }));

describe('testStatistics', () => {
  it('computes mean, median, p90, min, max and a 10-bucket histogram', () => {
    // Percentages 40, 55, 70, 90, 100 (hand-picked).
    const stats = testStatistics(percentages(70, 40, 100, 55, 90));
    expect(stats).toMatchObject({ mean: 71, median: 70, p90: 100, min: 40, max: 100 });
    expect(stats.histogram).toEqual([0, 0, 0, 0, 1, 1, 0, 1, 0, 2]);
  });

  it('averages the middle two for an even count, and handles ties', () => {
    const stats = testStatistics(percentages(60, 60, 80, 80));
    expect(stats).toMatchObject({ median: 70, mean: 70, p90: 80, min: 60, max: 80 });
    expect(stats.histogram[6]).toBe(2);
    expect(stats.histogram[8]).toBe(2);
  });

  it('reports one attempt as every statistic, and nothing for no attempts', () => {
    expect(testStatistics(percentages(42.5))).toMatchObject({
      mean: 42.5,
      median: 42.5,
      p90: 42.5,
      min: 42.5,
      max: 42.5,
    });
    expect(testStatistics(percentages())).toEqual({
      attempts: 0,
      mean: null,
      median: null,
      p90: null,
      min: null,
      max: null,
      histogram: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
      hardestQuestions: [],
    });
  });

  it('ranks the hardest questions by the share of marks earned, ties by id', () => {
    const attempts = [
      attempt([
        { questionId: 1, score: 2 },
        { questionId: 2, score: 0 },
        { questionId: 3, score: 2 },
        { questionId: 4, score: 0 },
      ]),
      attempt(
        [
          { questionId: 1, score: 2 },
          { questionId: 2, score: 1 },
          { questionId: 3, score: null },
        ],
        null,
        2,
      ),
    ];
    // q1 4/4 = 100, q2 1/4 = 25, q3 2/4 = 50 (the ungraded one is out), q4 0/4 = 0 (one unanswered).
    const results = attempts.map((a) => studentAnalytics(questions, a, 10));
    expect(testStatistics(results).hardestQuestions).toEqual([
      { questionId: 4, correctRate: 0 },
      { questionId: 2, correctRate: 25 },
      { questionId: 3, correctRate: 50 },
      { questionId: 1, correctRate: 100 },
    ]);
  });
});

describe('TestStatisticsBuilder', () => {
  it('counts a student without a percentage as an attempt but not as a score', () => {
    const stats = testStatistics([
      { scorePercentage: null, questionScores: [{ questionId: 9, earned: 0, possible: 0 }] },
      { scorePercentage: 30, questionScores: [{ questionId: 9, earned: 1, possible: 4 }] },
    ]);
    expect(stats).toMatchObject({ attempts: 2, mean: 30, median: 30, min: 30, max: 30 });
    expect(stats.hardestQuestions).toEqual([{ questionId: 9, correctRate: 25 }]);
  });

  it('gives the same statistics whatever order the results arrive in', () => {
    const results = [55, 10, 100, 72.5, 31].map((p, i) => ({
      scorePercentage: p,
      questionScores: [{ questionId: 1 + (i % 2), earned: i, possible: 5 }],
    }));
    expect(testStatistics([...results].reverse())).toEqual(testStatistics(results));
  });
});

describe('percentile', () => {
  it('uses the nearest rank', () => {
    const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(ten, 90)).toBe(9);
    expect(percentile(ten, 100)).toBe(10);
    expect(percentile(ten, 0)).toBe(1);
    expect(percentile([], 90)).toBeNull();
  });
});
