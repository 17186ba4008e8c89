/** GET /api/tests/:id: for its owner, and for students of its class unless a draft (else 404). */
import { readableTest } from '../../lib/authz/tests';
import { httpHandler } from '../../lib/http/stack';
import { idPathSchema } from '../../shared/schema';

export const handler = httpHandler(
  { auth: 'session', path: idPathSchema },
  async ({ caller, path }) => ({
    status: 200,
    body: await readableTest(caller, path.id),
  }),
);
