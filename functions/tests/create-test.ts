/** POST /api/tests: a teacher creates a test of their own (another teacherId in the body is 403). 201. */
import { newTestOwner } from '../../lib/authz/tests';
import { httpHandler } from '../../lib/http/stack';
import { storage } from '../../lib/storage';
import { insertTestSchema } from '../../shared/schema';

export const handler = httpHandler(
  { auth: 'session', body: insertTestSchema },
  async ({ caller, body }) => {
    const teacherId = newTestOwner(caller, body.teacherId);
    return { status: 201, body: await storage.createTest({ ...body, teacherId }) };
  },
);
