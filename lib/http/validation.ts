/** zod validation of request parts, reported as 400 with the path of every bad field. */
// zod's core parse works on any zod schema (classic or mini), and named imports from core keep a
// route without schemas free of classic zod (a smaller cold start).
import { type $ZodError, type $ZodType, type output, safeParse } from 'zod/v4/core';
// zod/mini sets no locale: without this, every issue of a 400 would say only "Invalid input".
import '../zod-english';
import { BadRequestError, type FieldIssue } from './errors';

/** `body.items.0.name`-style paths and zod's messages, for the `errors` array of a 400. */
export function zodIssues(error: $ZodError, prefix?: string): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(root)',
    message: issue.message,
  }));
}

/** Parses `value` with `schema` or throws BadRequestError naming `part` (body, query, path). */
export function parseRequestPart<S extends $ZodType>(
  schema: S,
  value: unknown,
  part: 'body' | 'query' | 'path',
): output<S> {
  const result = safeParse(schema, value);
  if (!result.success) {
    throw new BadRequestError(`Invalid request ${part}`, zodIssues(result.error, part));
  }
  return result.data;
}
