/** The server's own grading: MCQs with an answer key are scored on submission, never by the client. */
import type { Question } from '../../shared/schema';

type Gradable = Pick<Question, 'type' | 'correctAnswer' | 'marks'>;

/**
 * Whether the server grades answers to this question itself: an MCQ with an answer key. Everything
 * else (short, long, numerical, an MCQ without a key) waits for the teacher's manual grade.
 */
export function isAutoGraded(question: Gradable): boolean {
  return question.type === 'mcq' && question.correctAnswer !== null;
}

/** The grade the server stores with a submitted answer: full marks or 0, or nothing to say yet. */
export function autoGrade(
  question: Gradable,
  selectedOption: number | null | undefined,
): { score: number | null; isCorrect: boolean | null } {
  if (!isAutoGraded(question)) return { score: null, isCorrect: null };
  // The key is stored as the option's index in text (shared/schema checkMcq); no option is wrong.
  const isCorrect = selectedOption != null && String(selectedOption) === question.correctAnswer;
  return { score: isCorrect ? question.marks : 0, isCorrect };
}
