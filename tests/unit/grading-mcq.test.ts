/** The server's MCQ grading (lib/grading/mcq.ts): pure, so every case is cheap to pin down. */
import { describe, expect, it } from 'vitest';
import { autoGrade, isAutoGraded } from '../../lib/grading/mcq';

const mcq = { type: 'mcq' as const, correctAnswer: '1', marks: 3 };

describe('MCQ grading', () => {
  it('gives full marks for the keyed option and 0 for any other, or for none', () => {
    expect(autoGrade(mcq, 1)).toEqual({ score: 3, isCorrect: true });
    expect(autoGrade(mcq, 0)).toEqual({ score: 0, isCorrect: false });
    expect(autoGrade(mcq, 10)).toEqual({ score: 0, isCorrect: false });
    expect(autoGrade(mcq, null)).toEqual({ score: 0, isCorrect: false });
    expect(autoGrade(mcq, undefined)).toEqual({ score: 0, isCorrect: false });
  });

  it('reads the key as a number, so a key stored as "01" grades option 1 right', () => {
    const padded = { ...mcq, correctAnswer: '01' };
    expect(isAutoGraded(padded)).toBe(true);
    expect(autoGrade(padded, 1)).toEqual({ score: 3, isCorrect: true });
    expect(autoGrade(padded, 0)).toEqual({ score: 0, isCorrect: false });
    expect(autoGrade({ ...mcq, correctAnswer: '00' }, 0)).toEqual({ score: 3, isCorrect: true });
  });

  it('leaves an MCQ whose stored key names no option to the teacher, not to a 0 for everyone', () => {
    for (const correctAnswer of ['b', '', '1.0', '-1']) {
      const question = { ...mcq, correctAnswer };
      expect(isAutoGraded(question), correctAnswer).toBe(false);
      expect(autoGrade(question, 1)).toEqual({ score: null, isCorrect: null });
    }
  });

  it('leaves written answers and MCQs without a key to the teacher', () => {
    for (const question of [
      { type: 'short' as const, correctAnswer: '1', marks: 3 },
      { type: 'numerical' as const, correctAnswer: '1', marks: 3 },
      { ...mcq, correctAnswer: null },
    ]) {
      expect(isAutoGraded(question)).toBe(false);
      expect(autoGrade(question, 1)).toEqual({ score: null, isCorrect: null });
    }
    expect(isAutoGraded(mcq)).toBe(true);
  });
});
