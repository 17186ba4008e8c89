/** openapi.json is generated from the code, and covers exactly the routes serverless.yml has. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildOpenApiDocument,
  operationNameOf,
  type RouteEntry,
  serverlessRoutes,
} from '../../scripts/openapi-document';
import { projectRoot } from '../../scripts/stack/paths';
import { configEnvFor } from '../helpers/config-env';

type Operation = {
  operationId: string;
  summary: string;
  security: unknown[];
  parameters: { name: string; in: string; required: boolean }[];
  requestBody?: { content: { 'application/json': { schema: Record<string, unknown> } } };
};
type Document = { openapi: string; paths: Record<string, Record<string, Operation>> };

const committed = JSON.parse(readFileSync(join(projectRoot, 'openapi.json'), 'utf8')) as Document;
let generated: Document;

beforeAll(async () => {
  Object.assign(process.env, configEnvFor('openapi'));
  generated = (await buildOpenApiDocument()) as Document;
}, 60_000);

describe('openapi.json', () => {
  it('is up to date with the handlers’ schemas (run `npm run openapi` when this fails)', () => {
    expect(committed).toEqual(generated);
  });

  it('documents every route of serverless.yml, and nothing else', () => {
    const inYml = serverlessRoutes()
      .map((r) => `${r.method} ${r.path}`)
      .sort();
    const inDocument = Object.entries(committed.paths)
      .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method} ${path}`))
      .sort();
    expect(inDocument).toEqual(inYml);
    expect(inDocument).toContain('post /api/messages');
    expect(inDocument).toContain('get /api/openapi.json');
  });

  it('carries the request rules: strict bodies, bounds, optional cursors, session security', () => {
    expect(committed.openapi).toBe('3.1.0');
    const send = committed.paths['/api/messages']?.post as Operation;
    const body = send.requestBody?.content['application/json'].schema as {
      additionalProperties: boolean;
      properties: { content: { maxLength: number } };
      required: string[];
    };
    expect(body.additionalProperties).toBe(false);
    expect(body.properties.content.maxLength).toBe(4_000);
    expect(body.required).toEqual(expect.arrayContaining(['channelId', 'content']));
    expect(send.security).toEqual([{ session: [] }]);
    const history = committed.paths['/api/channels/{id}/messages']?.get as Operation;
    expect(history.parameters.map((p) => [p.name, p.in, p.required])).toEqual([
      ['id', 'path', true],
      ['limit', 'query', false],
      ['before', 'query', false],
      ['after', 'query', false],
    ]);
    const health = committed.paths['/api/health']?.get as Operation;
    expect(health.security).toEqual([]);
  });
});

describe('openapi.json operation ids', () => {
  const operations = () =>
    Object.entries(committed.paths).flatMap(([path, byMethod]) =>
      Object.entries(byMethod).map(([method, operation]) => ({ method, path, ...operation })),
    );

  // Client generators name a function after each operationId: a repeated one collides.
  it('names every operation (method and path) uniquely, with a summary', () => {
    const ids = operations().map((o) => o.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const operation of operations()) expect(operation.summary).toMatch(/^[A-Z]/);
  });

  it('names a second method by its handler, and an alias after the operation it repeats', () => {
    const id = (path: string, method: string) => committed.paths[path]?.[method]?.operationId;
    expect(id('/api/channels/{id}/pin/{messageId}', 'post')).toBe('pin-message');
    expect(id('/api/channels/{id}/pin/{messageId}', 'delete')).toBe('unpin-message');
    expect(id('/api/channels/{id}/messages', 'get')).toBe('list-messages');
    expect(id('/api/messages/{id}', 'get')).toBe('list-messages-alias');
    expect(committed.paths['/api/messages/{id}']?.get?.summary).toBe(
      'List messages (alias of GET /api/channels/{id}/messages)',
    );
  });

  it('refuses a handler that serves a second method without naming it', () => {
    const route = (method: string, path: string): RouteEntry => ({
      method,
      path,
      functionName: 'toggle-thing',
      module: 'functions/things/toggle-thing.ts',
    });
    const routes = [route('post', '/api/things/{id}'), route('delete', '/api/things/{id}')];
    expect(() => operationNameOf(routes[1] as RouteEntry, routes, { auth: 'session' })).toThrow(
      /toggle-thing serves DELETE \/api\/things\/\{id\} besides POST/,
    );
    expect(
      operationNameOf(routes[1] as RouteEntry, routes, {
        auth: 'session',
        operationIds: { DELETE: 'untoggle-thing' },
      }),
    ).toEqual({ operationId: 'untoggle-thing' });
    const aliases = [route('get', '/a'), route('get', '/b'), route('get', '/c')];
    expect(aliases.map((r) => operationNameOf(r, aliases, { auth: 'none' }).operationId)).toEqual([
      'toggle-thing',
      'toggle-thing-alias',
      'toggle-thing-alias-2',
    ]);
  });
});

describe('openapi.json success responses', () => {
  type Responses = Record<string, { content?: { 'application/json': { schema: unknown } } }>;
  const responses = (path: string, method: string) =>
    (committed.paths[path] as unknown as Record<string, { responses: Responses }>)[method]
      ?.responses ?? {};

  it('documents each operation’s success status, with a body schema unless it is a 204', () => {
    for (const [path, operations] of Object.entries(committed.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const success = Object.entries(
          (operation as unknown as { responses: Responses }).responses,
        ).filter(([status]) => status.startsWith('2'));
        expect(success, `${method} ${path}`).toHaveLength(1);
        const [status, response] = success[0] as [string, Responses[string]];
        expect(response.content === undefined, `${method} ${path}`).toBe(status === '204');
      }
    }
  });

  it('refers to the DTOs by name, each defined once, strict', () => {
    expect(responses('/api/users/me', 'get')['200']?.content?.['application/json'].schema).toEqual({
      $ref: '#/components/schemas/User',
    });
    expect(responses('/api/auth/logout', 'post')['204']).toBeDefined();
    // Login refuses bad credentials with 401 although it needs no session (schemathesis found it
    // undocumented); register never answers 401.
    expect(responses('/api/auth/login', 'post')['401']).toBeDefined();
    expect(responses('/api/auth/register', 'post')['401']).toBeUndefined();
    const schemas = (committed as unknown as { components: { schemas: Record<string, object> } })
      .components.schemas;
    expect(schemas.User).toMatchObject({ additionalProperties: false });
    expect(Object.keys(schemas.User as object)).not.toContain('passwordHash');
    expect((schemas.StudentQuestion as { properties: object }).properties).not.toHaveProperty(
      'correctAnswer',
    );
  });
});
