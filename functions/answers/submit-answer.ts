/**
 * POST /api/answers: the student answers a question of their attempt in progress; a second answer
 * to the same question replaces the first; the server grades MCQs. 201.
 */
import { answersFor, answerTarget } from '../../lib/authz/tests';
import { autoGrade } from '../../lib/grading/mcq';
import { BadRequestError } from '../../lib/http/errors';
import { httpHandler } from '../../lib/http/stack';
import { storage } from '../../lib/storage';
import { insertAnswerSchema } from '../../shared/schema';

export const handler = httpHandler(
  { auth: 'session', body: insertAnswerSchema },
  async ({ caller, body }) => {
    const { attempt, question } = await answerTarget(caller, body.attemptId, body.questionId);
    // The schema bounds selectedOption for any MCQ; only the question knows how many it has.
    const option = body.selectedOption;
    if (option != null && (question.type !== 'mcq' || option >= (question.options?.length ?? 0))) {
      throw new BadRequestError('Invalid request body', [
        {
          path: 'body.selectedOption',
          message: 'must be the index of one of the question options',
        },
      ]);
    }
    const answer = await storage.upsertAnswer({
      attemptId: attempt.id,
      questionId: question.id,
      text: body.text,
      selectedOption: option,
      imageUrl: body.imageUrl,
      ...autoGrade(question, option),
    });
    const [shown] = await answersFor({ as: 'student', attempt }, [answer]);
    return { status: 201, body: shown };
  },
);
