/**
 * The synthetic school the analytics benchmark runs on, as the documents MongoDB stores: classes of
 * 50 students, tests of 5 questions (3 topics), one finished attempt per student and test; one
 * question in 10 left unanswered and one answer in 10 ungraded. N attempts = N/50 tests, ~4.5N
 * answers. The same generator feeds the MongoDB seeding and the in-memory store.
 */
export const CLASS_SIZE = 50;
export const QUESTIONS = 5;
const TOPICS = ['algebra', 'geometry', 'statistics'];
/** Long settled: every result is older than any settle delay. */
const START = Date.UTC(2020, 0, 1);

export const testCount = (attempts: number) => Math.ceil(attempts / CLASS_SIZE);

export function testDocs(attempts: number) {
  return Array.from({ length: testCount(attempts) }, (_, i) => ({
    id: i + 1,
    title: `Test ${i + 1}`,
    description: null,
    subject: 'Maths',
    class: `C${i + 1}`,
    teacherId: 1,
    totalMarks: QUESTIONS * 2,
    duration: 60,
    testDate: new Date(START),
    questionTypes: ['short'],
    status: 'published',
    createdAt: new Date(START),
  }));
}

export function questionDocs(attempts: number) {
  return Array.from({ length: testCount(attempts) * QUESTIONS }, (_, i) => ({
    id: i + 1,
    testId: Math.floor(i / QUESTIONS) + 1,
    type: 'short',
    text: 'q',
    options: null,
    correctAnswer: null,
    marks: 2,
    order: i % QUESTIONS,
    aiRubric: null,
    topic: TOPICS[i % TOPICS.length] as string,
  }));
}

const testOf = (attemptId: number) => Math.floor((attemptId - 1) / CLASS_SIZE) + 1;

/** Attempts `from+1 .. from+count`. */
export function attemptDocs(from: number, count: number) {
  return Array.from({ length: count }, (_, i) => {
    const id = from + i + 1;
    return {
      id,
      testId: testOf(id),
      studentId: ((id - 1) % CLASS_SIZE) + 1,
      startTime: new Date(START + id * 1_000),
      endTime: new Date(START + id * 1_000 + 600_000),
      score: null,
      status: 'completed' as const,
      activeKey: `closed:${id}`,
      // Unique per attempt, so unique per (student, test) as the index requires.
      attemptNumber: id,
      resultRevision: 1,
      resultChangedAt: new Date(START + id * 1_000 + 600_000),
    };
  });
}

/** The answers of attempts `from+1 .. from+count`. */
export function answerDocs(from: number, count: number) {
  return Array.from({ length: count }, (_, i) => from + i + 1).flatMap((attemptId) =>
    Array.from({ length: QUESTIONS }, (_, q) => q)
      .filter((q) => (attemptId + q) % 10 !== 0)
      .map((q) => ({
        id: attemptId * QUESTIONS + q,
        attemptId,
        seq: q + 1,
        questionId: (testOf(attemptId) - 1) * QUESTIONS + q + 1,
        text: 'x',
        selectedOption: null,
        imageUrl: null,
        ocrText: null,
        score: (attemptId * 7 + q) % 10 === 3 ? null : (attemptId + q) % 3,
        aiConfidence: null,
        aiFeedback: null,
        feedback: null,
        isCorrect: null,
      })),
  );
}
