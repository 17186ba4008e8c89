/**
 * Every 2xx answer an e2e test receives is checked against the success response documented for
 * its operation (shared/response-schemas.ts, the source of openapi.json): the documented status
 * and the body's schema. So the documented responses cannot drift from what the handlers answer.
 */
import { serverlessRoutes } from '../../scripts/openapi-document';
import { successResponses } from '../../shared/response-schemas';

interface Route {
  method: string;
  pattern: RegExp;
  /** Template parameters: a literal segment wins over a parameter (/channels/dm vs /channels/{id}). */
  parameters: number;
  /** The function serving it: shared/response-schemas.ts keys the responses by its name. */
  functionName: string;
}

// The routes openapi.json documents (a unit test holds the two equal).
const routes: Route[] = serverlessRoutes()
  .map(({ method, path, functionName }) => ({
    method: method.toUpperCase(),
    pattern: new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`),
    parameters: (path.match(/\{/g) ?? []).length,
    functionName,
  }))
  .sort((a, b) => a.parameters - b.parameters);

/** Throws when a 2xx answer differs from its operation's documented success response. */
export function checkSuccessResponse(method: string, url: string, status: number, body: unknown) {
  if (status < 200 || status > 299) return;
  const path = new URL(url).pathname;
  const route = routes.find((r) => r.method === method && r.pattern.test(path));
  if (!route)
    throw new Error(`${method} ${path} answered ${status} but serves no documented route`);
  const documented = successResponses[route.functionName];
  if (documented?.status !== status) {
    throw new Error(`${method} ${path} answered ${status}, documented ${documented?.status}`);
  }
  const result = documented.schema?.safeParse(body);
  if (result && !result.success) {
    throw new Error(
      `${method} ${path} (${route.functionName}) answered a body its documented schema refuses: ${JSON.stringify(result.error.issues).slice(0, 2_000)}`,
    );
  }
}
