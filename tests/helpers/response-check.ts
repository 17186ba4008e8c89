/**
 * Every 2xx answer an e2e test receives is checked against the success response documented for
 * its operation (shared/response-schemas.ts, the source of openapi.json): the documented status
 * and the body's schema. So the documented responses cannot drift from what the handlers answer.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { successResponses } from '../../shared/response-schemas';

interface Route {
  method: string;
  pattern: RegExp;
  /** Template parameters: a literal segment wins over a parameter (/channels/dm vs /channels/{id}). */
  parameters: number;
  operationId: string;
}

const document = JSON.parse(readFileSync(join(__dirname, '..', '..', 'openapi.json'), 'utf8')) as {
  paths: Record<string, Record<string, { operationId: string }>>;
};
const routes: Route[] = Object.entries(document.paths)
  .flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, operation]) => ({
      method: method.toUpperCase(),
      pattern: new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`),
      parameters: (path.match(/\{/g) ?? []).length,
      operationId: operation.operationId,
    })),
  )
  .sort((a, b) => a.parameters - b.parameters);

/** Throws when a 2xx answer differs from its operation's documented success response. */
export function checkSuccessResponse(method: string, url: string, status: number, body: unknown) {
  if (status < 200 || status > 299) return;
  const path = new URL(url).pathname;
  const route = routes.find((r) => r.method === method && r.pattern.test(path));
  if (!route) throw new Error(`${method} ${path} answered ${status} but is not in openapi.json`);
  const documented = successResponses[route.operationId];
  if (documented?.status !== status) {
    throw new Error(`${method} ${path} answered ${status}, documented ${documented?.status}`);
  }
  const result = documented.schema?.safeParse(body);
  if (result && !result.success) {
    throw new Error(
      `${method} ${path} (${route.operationId}) answered a body its documented schema refuses: ${JSON.stringify(result.error.issues).slice(0, 2_000)}`,
    );
  }
}
