/**
 * POST /api/answers/:id/grade: the test's owner grades a short, long or numerical answer of a
 * finished attempt, score 0..the question's marks. Answers the server grades (MCQs with a key)
 * are 409: a manual grade would contradict the key. 200 + the updated answer.
 */
import { gradableAnswer } from '../../lib/authz/tests';
import { isAutoGraded } from '../../lib/grading/mcq';
import { BadRequestError, ConflictError, NotFoundError } from '../../lib/http/errors';
import { httpHandler } from '../../lib/http/stack';
import { storage } from '../../lib/storage';
import { gradeAnswerSchema, idPathSchema } from '../../shared/schema';

export const handler = httpHandler(
  { auth: 'session', path: idPathSchema, body: gradeAnswerSchema },
  async ({ caller, path, body }) => {
    const { answer } = await gradableAnswer(caller, path.id);
    const question = await storage.getQuestion(answer.questionId);
    if (!question) throw new NotFoundError('Question not found');
    if (isAutoGraded(question)) throw new ConflictError('This answer is graded by its answer key');
    if (body.score > question.marks) {
      throw new BadRequestError('Invalid request body', [
        { path: 'body.score', message: `must be at most the question's marks (${question.marks})` },
      ]);
    }
    // Feedback left out keeps the earlier feedback; null clears it.
    const graded = await storage.updateAnswer(answer.id, {
      score: body.score,
      feedback: body.feedback,
    });
    if (!graded) throw new NotFoundError('Answer not found');
    return { status: 200, body: graded };
  },
);
