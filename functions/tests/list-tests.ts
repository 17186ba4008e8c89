/** GET /api/tests?status=: a teacher's own tests; a student's class's tests, never drafts. */
import * as z from 'zod/mini';
import { visibleTests } from '../../lib/authz/tests';
import { httpHandler } from '../../lib/http/stack';
import { testStatuses } from '../../shared/schema';

const query = z.strictObject({ status: z.optional(z.enum(testStatuses)) });

export const handler = httpHandler({ auth: 'session', query }, async ({ caller, query }) => ({
  status: 200,
  body: await visibleTests(caller, query.status),
}));
