/** zod validation of request parts, reported as 400 with the path of every bad field. */
import type * as z from 'zod';
import { BadRequestError, type FieldIssue } from './errors';

/** `body.items.0.name`-style paths and zod's messages, for the `errors` array of a 400. */
export function zodIssues(error: z.ZodError, prefix?: string): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(root)',
    message: issue.message,
  }));
}

/** Parses `value` with `schema` or throws BadRequestError naming `part` (body, query, path). */
export function parseRequestPart<S extends z.ZodType>(
  schema: S,
  value: unknown,
  part: 'body' | 'query' | 'path',
): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new BadRequestError(`Invalid request ${part}`, zodIssues(result.error, part));
  }
  return result.data;
}
