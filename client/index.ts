/**
 * The typed client of the PersonalLearningPro API: openapi-fetch over the types openapi-typescript
 * generates from openapi.json into schema.d.ts (`npm run client` regenerates it). Each call's path,
 * parameters and body are checked against the document, and its answer is typed from the documented
 * responses: `data` from the success response, `error` from the error responses ({message, code,
 * errors?, requestId}).
 *
 *   const api = createApiClient('https://api.example.org');
 *   const { data, error } = await api.GET('/api/tests/{id}', { params: { path: { id: '7' } } });
 */
import createClient, { type Client } from 'openapi-fetch';
import type { components, operations, paths } from './schema';

export type { components, operations, paths };
export type ApiClient = Client<paths>;
/** The DTOs of the API by name (User, Test, Message, ...). */
export type Schemas = components['schemas'];
/** What every error response carries. */
export type ApiError = Schemas['Error'];

/**
 * A client of the API at `baseUrl`. The session is a cookie: a browser keeps it (credentials are
 * included, for a front end on another allowed origin); elsewhere pass a `fetch` that keeps it.
 */
export function createApiClient(
  baseUrl: string,
  fetch: (request: Request) => Promise<Response> = globalThis.fetch,
): ApiClient {
  return createClient<paths>({ baseUrl, fetch, credentials: 'include' });
}
