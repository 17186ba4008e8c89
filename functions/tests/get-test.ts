/** GET /api/tests/:id: for its owner, and for students of its class unless a draft (else 404). */
import * as z from 'zod/mini';
import { readableTest } from '../../lib/authz/tests';
import { httpHandler } from '../../lib/http/stack';
import { idParamSchema } from '../../shared/schema';

const path = z.strictObject({ id: idParamSchema });

export const handler = httpHandler({ auth: 'session', path }, async ({ caller, path }) => ({
  status: 200,
  body: await readableTest(caller, path.id),
}));
