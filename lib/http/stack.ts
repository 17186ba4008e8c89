/**
 * The one middy stack every HTTP handler shares. A handler module is:
 *
 *   export const handler = httpHandler({ body: schema }, async (req) => ({ status: 201, body }));
 *
 * Order matters: `before` runs top to bottom, `after`/`onError` bottom to top, so the error mapper
 * produces the response before the security headers are added to it.
 */
import middy from '@middy/core';
import httpSecurityHeaders from '@middy/http-security-headers';
import type { Context } from 'aws-lambda';
// zod/mini: see validation.ts (a route without a query schema must not load classic zod).
import * as z from 'zod/mini';
import { config } from '../config';
import { readSessionToken } from '../sessions/cookie';
import { DeadlineExceededError, UnauthorizedError } from './errors';
import { errorMapper } from './middleware/error-mapper';
import { jsonBody } from './middleware/json-body';
import { requestContext } from './middleware/request-context';
import { toLambdaResult } from './respond';
import type {
  Caller,
  HttpRequest,
  HttpResult,
  LambdaHttpEvent,
  LambdaHttpResult,
  RouteSchemas,
} from './types';
import { parseRequestParts } from './validation';

/**
 * middy's defaults (helmet's), minus the empty Reporting-Endpoints header it emits when no endpoint
 * is configured (the option exists in its code but not in its type declarations).
 */
const SECURITY_HEADER_OPTIONS = { reportingEndpoints: false } as Parameters<
  typeof httpSecurityHeaders
>[0];

const NO_QUERY = z.strictObject({});

/**
 * A request still running this long before its function's timeout answers 503 (with Retry-After)
 * instead. A Lambda timeout answers nothing useful (API Gateway makes it a bare 5xx) and ends the
 * instance, so the next request pays a cold start; this leaves time to map, log and send the 503
 * even on a starved CPU. The abandoned work may still finish: a write the client was not told of
 * is one it may retry (POST /api/messages takes an Idempotency-Key for that).
 */
export const REQUEST_DEADLINE_MARGIN_MS = 500;

/** The caller of a session route, or 401. The session store loads only on routes that use it. */
async function requireCaller(token: string | undefined): Promise<Caller> {
  if (!token) throw new UnauthorizedError();
  const { findSession } = await import('../sessions/session-store');
  const session = await findSession(token);
  if (!session) throw new UnauthorizedError('Session expired or not valid; sign in again');
  return { userId: session.userId, role: session.role, sessionId: session.id };
}

export type RouteHandler<S extends RouteSchemas> = (request: HttpRequest<S>) => Promise<HttpResult>;

/**
 * Runs the handler once per Idempotency-Key of the caller, when the request carries one (see
 * lib/http/idempotency, which loads only on routes that take keys, like the session store).
 */
async function onceByIdempotencyKey(
  scope: string,
  request: { caller: Caller; headers: Record<string, string | undefined>; body: unknown },
  run: () => Promise<HttpResult>,
): Promise<HttpResult> {
  const { idempotencyKey, idempotent } = await import('./idempotency');
  const key = idempotencyKey(request.headers);
  if (!key) return run();
  return idempotent({ userId: request.caller.userId, scope, key, body: request.body }, run);
}

/** Wraps a route handler in the shared stack: context, headers, errors, JSON body, validation. */
export function httpHandler<S extends RouteSchemas>(schemas: S, handle: RouteHandler<S>) {
  // Read at module load, so a bad environment fails the cold start with a message naming it.
  const maxBytes = config().http.maxBodyBytes;
  // Keys belong to their user, so a route without a caller cannot take them.
  if (schemas.idempotency && schemas.auth !== 'session') {
    throw new Error('httpHandler: idempotency needs auth: session');
  }

  const respond = async (event: LambdaHttpEvent, context: Context): Promise<LambdaHttpResult> => {
    const plp = event.plp as NonNullable<LambdaHttpEvent['plp']>;
    const sessionToken = readSessionToken(event.cookies);
    const caller = schemas.auth === 'session' ? await requireCaller(sessionToken) : undefined;
    const parts = parseRequestParts({
      ...(schemas.path
        ? { path: { schema: schemas.path, value: event.pathParameters ?? {} } }
        : {}),
      query: { schema: schemas.query ?? NO_QUERY, value: event.queryStringParameters ?? {} },
      ...(schemas.body ? { body: { schema: schemas.body, value: event.body } } : {}),
    });
    const request = {
      caller,
      sessionToken,
      sourceIp: event.requestContext?.http?.sourceIp ?? 'unknown',
      body: parts.body,
      query: parts.query,
      path: parts.path,
      headers: event.headers ?? {},
      cookies: event.cookies ?? [],
      requestId: plp.requestId,
      log: plp.log,
      event,
      context,
    } as HttpRequest<S>;
    // A route without a query schema takes no query (an unknown parameter was a 400 above).
    if (!schemas.query) request.query = undefined as HttpRequest<S>['query'];
    const run = () => handle(request);
    return toLambdaResult(
      schemas.idempotency && caller
        ? await onceByIdempotencyKey(
            schemas.idempotency.scope,
            { caller, headers: request.headers, body: request.body },
            run,
          )
        : await run(),
    );
  };

  // middy aborts `signal` when the deadline answers 503; the work goes on regardless (a promise
  // cannot be stopped), so its end is logged: what the client was not told is in the log.
  const core = (
    event: LambdaHttpEvent,
    context: Context,
    { signal }: { signal?: AbortSignal } = {},
  ): Promise<LambdaHttpResult> => {
    const started = performance.now();
    const work = respond(event, context);
    const afterDeadline = (outcome: Record<string, unknown>) => {
      if (!signal?.aborted) return;
      event.plp?.log.warn('request finished after its deadline had answered 503', {
        durationMs: Math.round(performance.now() - started),
        ...outcome,
      });
    };
    work.then(
      (result) => afterDeadline({ status: result.statusCode }),
      (error: unknown) => afterDeadline({ error }),
    );
    return work;
  };

  const stack = middy<LambdaHttpEvent, LambdaHttpResult>({
    timeoutEarlyInMillis: REQUEST_DEADLINE_MARGIN_MS,
    timeoutEarlyResponse: () => {
      throw new DeadlineExceededError();
    },
  })
    .use(requestContext())
    .use(httpSecurityHeaders(SECURITY_HEADER_OPTIONS))
    .use(errorMapper());
  if (schemas.body) stack.use(jsonBody({ maxBytes }));
  // The route's spec travels with the handler, so scripts/openapi.ts can document every route
  // from the very schemas that validate it.
  return Object.assign(stack.handler(core), { route: schemas });
}
