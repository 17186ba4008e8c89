/**
 * docs/api.md is the contract in words and openapi.json its machine-readable form: every route
 * one documents, the other must too. Compared by method and path (parameter names aside).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** "GET /api/tests/{}": a route with its path parameters unnamed. */
const route = (method: string, path: string) =>
  `${method.toUpperCase()} ${path.replace(/\{[^}]+\}/g, '{}')}`;

/** The routes of the tables in docs/api.md: rows whose first cell starts with a method. */
function documentedRoutes(markdown: string): Set<string> {
  const routes = new Set<string>();
  for (const line of markdown.split('\n')) {
    const cell = /^\|\s*((?:GET|POST|PUT|PATCH|DELETE) [^|]+?)\s*\|/.exec(line)?.[1];
    if (!cell) continue;
    const [, method, path, rest] = /^(\w+) (\S+?)(?:\?\S*)?(,.*)?$/.exec(cell) ?? [];
    if (!method || !path) continue;
    routes.add(route(method, path.replace(/,$/, '')));
    // "POST /api/x/{id}, DELETE the same"
    const again = /^,\s*(GET|POST|PUT|PATCH|DELETE) the same$/.exec(rest?.trim() ?? '')?.[1];
    if (again) routes.add(route(again, path.replace(/,$/, '')));
  }
  return routes;
}

function openApiRoutes(): Set<string> {
  const document = JSON.parse(readFileSync(join(root, 'openapi.json'), 'utf8')) as {
    paths: Record<string, Partial<Record<(typeof METHODS)[number], unknown>>>;
  };
  const routes = new Set<string>();
  for (const [path, operations] of Object.entries(document.paths))
    for (const method of METHODS) if (operations[method]) routes.add(route(method, path));
  return routes;
}

describe('docs/api.md', () => {
  it('reads the route cells of its tables', () => {
    const table = [
      '| route | who |',
      '|---|---|',
      '| GET /api/tests?status=  | session |',
      '| POST /api/channels/{id}/pin/{messageId}, DELETE the same | moderator |',
      '| not a route | x |',
    ].join('\n');
    expect([...documentedRoutes(table)].sort()).toEqual([
      'DELETE /api/channels/{}/pin/{}',
      'GET /api/tests',
      'POST /api/channels/{}/pin/{}',
    ]);
  });

  it('documents exactly the routes of openapi.json', () => {
    const documented = documentedRoutes(readFileSync(join(root, 'docs/api.md'), 'utf8'));
    const generated = openApiRoutes();
    expect({
      'in openapi.json, not in docs/api.md': [...generated].filter((r) => !documented.has(r)),
      'in docs/api.md, not in openapi.json': [...documented].filter((r) => !generated.has(r)),
    }).toEqual({
      'in openapi.json, not in docs/api.md': [],
      'in docs/api.md, not in openapi.json': [],
    });
  });
});
