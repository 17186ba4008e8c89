/** The server's own grading: MCQs with an answer key are scored on submission, never by the client. */
import type { Question } from '../../shared/schema';

type Gradable = Pick<Question, 'type' | 'correctAnswer' | 'marks'>;

/**
 * The option index an MCQ key names, or null when it names none. Read as a number, so a key
 * stored before keys were canonical ("01") still means option 1.
 */
export function mcqKeyIndex(correctAnswer: string | null): number | null {
  if (correctAnswer === null || !/^\s*\d{1,3}\s*$/.test(correctAnswer)) return null;
  return Number(correctAnswer);
}

/**
 * Whether the server grades answers to this question itself: an MCQ whose key names an option.
 * Everything else (short, long, numerical, an MCQ without a usable key) waits for the teacher's
 * manual grade, so no answer is left both unscorable and ungradable.
 */
export function isAutoGraded(question: Gradable): boolean {
  return question.type === 'mcq' && mcqKeyIndex(question.correctAnswer) !== null;
}

/** The grade the server stores with a submitted answer: full marks or 0, or nothing to say yet. */
export function autoGrade(
  question: Gradable,
  selectedOption: number | null | undefined,
): { score: number | null; isCorrect: boolean | null } {
  if (!isAutoGraded(question)) return { score: null, isCorrect: null };
  // No option selected is wrong.
  const isCorrect =
    selectedOption != null && selectedOption === mcqKeyIndex(question.correctAnswer);
  return { score: isCorrect ? question.marks : 0, isCorrect };
}
