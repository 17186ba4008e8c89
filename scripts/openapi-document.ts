/**
 * The OpenAPI 3.1 document of the API, built from serverless.yml (which routes exist, and which
 * handler serves each) and from the zod schemas each handler validates with (its `route` spec):
 * the document cannot drift from what the code accepts. `npm run openapi` writes it to
 * openapi.json, which GET /api/openapi.json serves; a unit test fails when the two differ.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import * as z from 'zod';
import type { $ZodType } from 'zod/v4/core';
import type { RouteSchemas } from '../lib/http/types';
import { responseRegistry, successResponses } from '../shared/response-schemas';
import { projectRoot } from './stack/paths';

interface HttpApiEvent {
  httpApi?: { method: string; path: string };
}
interface ServerlessYml {
  functions: Record<string, { handler: string; events?: HttpApiEvent[] }>;
}

export interface RouteEntry {
  method: string;
  path: string;
  functionName: string;
  module: string;
}

/** Every httpApi route of serverless.yml except the catch-all (it documents no operation). */
export function serverlessRoutes(): RouteEntry[] {
  const yml = load(readFileSync(join(projectRoot, 'serverless.yml'), 'utf8')) as ServerlessYml;
  return Object.entries(yml.functions).flatMap(([functionName, fn]) =>
    (fn.events ?? [])
      .flatMap((event) => (event.httpApi ? [event.httpApi] : []))
      .filter((api) => api.method !== '*')
      .map((api) => ({
        method: api.method.toLowerCase(),
        path: api.path,
        functionName,
        module: join(projectRoot, `${fn.handler.replace(/\.handler$/, '')}.ts`),
      })),
  );
}

const jsonSchema = (schema: $ZodType) => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return rest;
};

/** Where openapi.json defines the named response schemas (shared/response-schemas.ts). */
const COMPONENT_SCHEMAS = '#/components/schemas/';

/**
 * A response body's JSON Schema, with the named DTOs it uses collected into `components` and
 * referenced from there (each defined once in the document).
 */
function responseJsonSchema(schema: z.ZodType, components: Record<string, unknown>) {
  const converted = z.toJSONSchema(schema, { io: 'output', metadata: responseRegistry });
  const text = JSON.stringify(converted).replaceAll('"#/$defs/', `"${COMPONENT_SCHEMAS}`);
  const { $schema: _drop, $defs, ...rest } = JSON.parse(text) as Record<string, unknown>;
  Object.assign(components, $defs ?? {});
  return rest;
}

/** The success response of a function, documented from shared/response-schemas.ts. */
function successResponse(functionName: string, components: Record<string, unknown>) {
  const success = successResponses[functionName];
  if (!success) throw new Error(`shared/response-schemas.ts has no response for ${functionName}`);
  return {
    [String(success.status)]: {
      description: success.description,
      ...(success.schema
        ? {
            content: {
              'application/json': { schema: responseJsonSchema(success.schema, components) },
            },
          }
        : {}),
    },
  };
}

/** Parameters (in path or query) from an object schema's properties. */
function parameters(schema: $ZodType | undefined, where: 'path' | 'query') {
  if (!schema) return [];
  const json = jsonSchema(schema) as {
    properties?: Record<string, unknown>;
    required?: string[];
    anyOf?: { properties?: Record<string, unknown>; required?: string[] }[];
  };
  const properties = json.properties ?? {};
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: property,
  }));
}

const ERROR_RESPONSE = {
  description: 'An error: {message, code, errors?, requestId}',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
};

const ERROR_STATUSES: Record<string, string> = {
  '400': 'Bad input (errors names the fields)',
  '401': 'No valid session',
  '403': 'Not allowed',
  '404': 'Not found (also for things the caller may not know exist)',
  '409': 'Conflict',
  '413': 'Body too large',
  '415': 'Body is not JSON',
  '422': 'Idempotency-Key reused with another body',
  '429': 'Too many attempts',
  '503':
    'A database is unavailable (the message names the message store when it is that one), or the request ran out of time (retry after Retry-After)',
};

/** 401 on routes that need no session: what it means there (login refuses bad credentials). */
const SESSIONLESS_401: Record<string, string> = {
  login: 'Unknown user or wrong password (one answer for both)',
};

/** The error responses of an operation: 401 only where it can happen. */
function errorResponses(functionName: string, spec: RouteSchemas) {
  const unauthorized = SESSIONLESS_401[functionName];
  return Object.fromEntries(
    Object.entries(ERROR_STATUSES)
      .filter(([status]) => spec.auth === 'session' || status !== '401' || unauthorized)
      .map(([status, description]) => [
        status,
        {
          ...ERROR_RESPONSE,
          description: status === '401' && spec.auth !== 'session' ? unauthorized : description,
        },
      ]),
  );
}

type HttpMethod = keyof NonNullable<RouteSchemas['operationIds']>;

export interface OperationName {
  operationId: string;
  /** The route this one is an alias of (same function, same method, another path). */
  aliasOf?: RouteEntry;
}

/**
 * The operationId of a route, unique per method and path: client generators name a function after
 * each operation, so a repeated id becomes two colliding functions. A function's first route in
 * serverless.yml takes the function's name (shared/response-schemas.ts and the tests key responses
 * by it); a route with another method is another operation, named by its handler
 * (RouteSchemas.operationIds); a further route with the same method serves the same operation
 * under another path, an alias: `<name>-alias` (`-alias-2`, ... should there be more).
 */
export function operationNameOf(
  route: RouteEntry,
  routes: RouteEntry[],
  spec: RouteSchemas,
): OperationName {
  const siblings = routes.filter((r) => r.functionName === route.functionName);
  const first = siblings[0] ?? route;
  const method = route.method.toUpperCase() as HttpMethod;
  const base = spec.operationIds?.[method] ?? (route.method === first.method && route.functionName);
  if (!base) {
    throw new Error(
      `${route.functionName} serves ${method} ${route.path} besides ${first.method.toUpperCase()} ${first.path}: name that operation in its route spec (operationIds)`,
    );
  }
  const sameMethod = siblings.filter((r) => r.method === route.method);
  const index = sameMethod.indexOf(route);
  if (index <= 0) return { operationId: base };
  return {
    operationId: `${base}-alias${index > 1 ? `-${index}` : ''}`,
    aliasOf: sameMethod[0] as RouteEntry,
  };
}

/** "unpin-message" → "Unpin message": a short summary, which generated clients show as docs. */
function summaryOf({ operationId, aliasOf }: OperationName): string {
  const words = operationId.replace(/-alias(-\d+)?$/, '').replaceAll('-', ' ');
  const summary = `${words.charAt(0).toUpperCase()}${words.slice(1)}`;
  return aliasOf
    ? `${summary} (alias of ${aliasOf.method.toUpperCase()} ${aliasOf.path})`
    : summary;
}

/** Builds the document from the route specs of the handler modules serverless.yml names. */
export async function buildOpenApiDocument(): Promise<Record<string, unknown>> {
  const version = (
    JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string }
  ).version;
  const paths: Record<string, Record<string, unknown>> = {};
  const components: Record<string, unknown> = {};
  const inYmlOrder = serverlessRoutes();
  const routes = [...inYmlOrder].sort((a, b) =>
    `${a.path} ${a.method}`.localeCompare(`${b.path} ${b.method}`),
  );
  const operationIds = new Map<string, string>();
  for (const route of routes) {
    const module = (await import(route.module)) as { handler: { route?: RouteSchemas } };
    const spec = module.handler.route;
    if (!spec)
      throw new Error(`${route.module}: handler has no route spec (not built with httpHandler?)`);
    const name = operationNameOf(route, inYmlOrder, spec);
    const taken = operationIds.get(name.operationId);
    if (taken) {
      throw new Error(
        `operationId ${name.operationId} names both ${taken} and ${route.method} ${route.path}`,
      );
    }
    operationIds.set(name.operationId, `${route.method} ${route.path}`);
    const operation: Record<string, unknown> = {
      operationId: name.operationId,
      summary: summaryOf(name),
      ...(spec.auth === 'session' ? { security: [{ session: [] }] } : { security: [] }),
      parameters: [...parameters(spec.path, 'path'), ...parameters(spec.query, 'query')],
      ...(spec.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: jsonSchema(spec.body) } },
            },
          }
        : {}),
      responses: {
        ...successResponse(route.functionName, components),
        ...errorResponses(route.functionName, spec),
      },
    };
    paths[route.path] = { ...(paths[route.path] ?? {}), [route.method]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'PersonalLearningPro API',
      version,
      description:
        'Generated from the zod schemas the handlers validate with (scripts/openapi-document.ts).',
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'sid' } },
      schemas: {
        ...Object.fromEntries(Object.entries(components).sort(([a], [b]) => a.localeCompare(b))),
        Error: {
          type: 'object',
          required: ['message', 'code'],
          properties: {
            message: { type: 'string' },
            code: { type: 'string' },
            requestId: { type: 'string' },
            errors: {
              type: 'array',
              items: {
                type: 'object',
                required: ['path', 'message'],
                properties: { path: { type: 'string' }, message: { type: 'string' } },
              },
            },
          },
        },
      },
    },
  };
}

/** The document as committed: stable formatting, so a diff shows real changes only. */
export async function renderOpenApiDocument(): Promise<string> {
  return `${JSON.stringify(await buildOpenApiDocument(), null, 2)}\n`;
}
