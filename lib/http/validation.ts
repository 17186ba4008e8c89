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

export type RequestPart = 'path' | 'query' | 'body';

/** Parses `value` with `schema` or throws BadRequestError naming `part` (body, query, path). */
export function parseRequestPart<S extends $ZodType>(
  schema: S,
  value: unknown,
  part: RequestPart,
): output<S> {
  return parseRequestParts({ [part]: { schema, value } })[part] as output<S>;
}

/**
 * Parses every part given, then throws one BadRequestError naming the bad fields of all of them:
 * a client learns in one answer that both its path and its body are wrong.
 */
export function parseRequestParts(
  parts: Partial<Record<RequestPart, { schema: $ZodType; value: unknown }>>,
): Partial<Record<RequestPart, unknown>> {
  const parsed: Partial<Record<RequestPart, unknown>> = {};
  const bad: RequestPart[] = [];
  const issues: FieldIssue[] = [];
  for (const part of ['path', 'query', 'body'] as const) {
    const given = parts[part];
    if (!given) continue;
    const result = safeParse(given.schema, given.value);
    if (result.success) {
      parsed[part] = result.data;
    } else {
      bad.push(part);
      issues.push(...zodIssues(result.error, part));
    }
  }
  if (bad.length > 0) throw new BadRequestError(`Invalid request ${bad.join(' and ')}`, issues);
  return parsed;
}
