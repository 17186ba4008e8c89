import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { BadRequestError } from '../../lib/http/errors';
import { parseRequestPart, parseRequestParts, zodIssues } from '../../lib/http/validation';

function zodError(schema: z.ZodType, value: unknown): z.ZodError {
  const result = schema.safeParse(value);
  if (result.success) throw new Error('expected the value to be invalid');
  return result.error;
}

describe('zodIssues', () => {
  const schema = z.object({
    email: z.email(),
    items: z.array(z.object({ name: z.string().min(1) })),
  });

  it('joins the issue path with dots, numbers included, under the prefix', () => {
    const issues = zodIssues(
      zodError(schema, { email: 'nope', items: [{ name: 'a' }, { name: '' }] }),
      'body',
    );
    expect(issues.map((i) => i.path).sort()).toEqual(['body.email', 'body.items.1.name']);
    for (const issue of issues) expect(issue.message).toEqual(expect.any(String));
  });

  it('has no leading dot without a prefix', () => {
    const issues = zodIssues(zodError(schema, { email: 'nope', items: [] }));
    expect(issues).toEqual([{ path: 'email', message: expect.any(String) }]);
  });

  it('uses the prefix alone for a root-level issue', () => {
    expect(zodIssues(zodError(schema, 'a string'), 'query')).toEqual([
      { path: 'query', message: expect.any(String) },
    ]);
  });

  it('says (root) for a root-level issue without a prefix', () => {
    expect(zodIssues(zodError(schema, 42))).toEqual([
      { path: '(root)', message: expect.any(String) },
    ]);
  });

  it('keeps zod messages, including custom ones', () => {
    const custom = z.object({ age: z.number().min(18, 'must be an adult') });
    expect(zodIssues(zodError(custom, { age: 3 }), 'body')).toEqual([
      { path: 'body.age', message: 'must be an adult' },
    ]);
  });
});

describe('parseRequestPart', () => {
  it('returns the parsed output (coercions and defaults applied)', () => {
    const schema = z.object({
      limit: z.coerce.number().int(),
      sort: z.enum(['asc', 'desc']).default('asc'),
    });
    expect(parseRequestPart(schema, { limit: '7' }, 'query')).toEqual({ limit: 7, sort: 'asc' });
  });

  it.each(['body', 'query', 'path'] as const)('throws BadRequestError naming the %s', (part) => {
    const schema = z.object({ id: z.uuid() }).strict();
    let thrown: unknown;
    try {
      parseRequestPart(schema, { id: 'x', extra: 1 }, part);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(BadRequestError);
    const error = thrown as BadRequestError;
    expect(error.status).toBe(400);
    expect(error.message).toBe(`Invalid request ${part}`);
    expect(error.issues?.map((i) => i.path).sort()).toEqual([part, `${part}.id`]);
    expect(error.issues?.find((i) => i.path === part)?.message).toContain('extra');
  });
});

describe('parseRequestParts', () => {
  const id = z.object({ id: z.string().regex(/^\d+$/) });

  it('names the bad fields of every part in one error, path first', () => {
    let thrown: unknown;
    try {
      parseRequestParts({
        path: { schema: id, value: { id: 'a\u0000b' } },
        query: { schema: z.object({}), value: {} },
        body: { schema: z.object({ name: z.string() }), value: {} },
      });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(BadRequestError);
    const error = thrown as BadRequestError;
    expect(error.message).toBe('Invalid request path and body');
    expect(error.issues?.map((i) => i.path)).toEqual(['path.id', 'body.name']);
  });

  it('returns every part parsed when all are valid', () => {
    expect(
      parseRequestParts({
        path: { schema: id, value: { id: '7' } },
        body: { schema: z.object({ n: z.coerce.number() }), value: { n: '2' } },
      }),
    ).toEqual({ path: { id: '7' }, body: { n: 2 } });
  });
});
