/** Any /api path no route matches: a JSON 404 (never HTML, never 200). */
// zod/mini: this function has no other schema, so it loads no classic zod (a smaller cold start).
import * as z from 'zod/mini';
import { NotFoundError } from '../../lib/http/errors';
import { httpHandler } from '../../lib/http/stack';

// Any query string: the answer is 404 whatever it holds, not a 400 about unknown parameters.
const anyQuery = z.record(z.string(), z.optional(z.string()));

export const handler = httpHandler({ auth: 'none', query: anyQuery }, async ({ event }) => {
  throw new NotFoundError(
    `No route for ${event.requestContext?.http?.method ?? ''} ${event.rawPath}`.trim(),
  );
});
