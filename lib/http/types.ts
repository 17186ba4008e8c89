/** Types shared by the middy stack and the handlers built on it. */
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import type { $ZodType, output } from 'zod/v4/core';
import type { UserRole } from '../../shared/schema';
import type { Logger } from '../logger';

/**
 * What a route declares: who may call it, and the zod schemas it validates (each one that is given
 * must accept its part of the request). `auth` has no default on purpose: every route says it.
 */
export interface RouteSchemas {
  /** 'session': a live session is required (401 without); 'none': anyone. */
  auth: 'session' | 'none';
  body?: $ZodType;
  query?: $ZodType;
  path?: $ZodType;
  /**
   * The route honours an Idempotency-Key header (lib/http/idempotency): the handler runs once per
   * caller, scope and key, and a retry with the same body gets the first response again. The
   * scope names the operation the keys belong to, e.g. 'POST /api/messages'. Session routes only.
   */
  idempotency?: { scope: string };
  /**
   * The operationId (in openapi.json) of a method this handler serves besides the one of its first
   * route in serverless.yml, e.g. DELETE of the pin route is `unpin-message`: client generators
   * name a function after each operation, so two methods need two names.
   */
  operationIds?: Partial<Record<'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', string>>;
}

type Parsed<S extends $ZodType | undefined> = S extends $ZodType ? output<S> : undefined;

/** What a handler receives: the validated request parts plus the request's logger and id. */
/** The caller, on routes with `auth: 'session'`. */
export interface Caller {
  userId: number;
  role: UserRole;
  /** The session's id (SHA-256 of its token). */
  sessionId: string;
}

export interface HttpRequest<S extends RouteSchemas> {
  /** Present on routes with `auth: 'session'`. */
  caller: S['auth'] extends 'session' ? Caller : undefined;
  /** The raw session token from the cookie, if any (logout ends it). */
  sessionToken: string | undefined;
  /** The client's address as API Gateway saw it. */
  sourceIp: string;
  body: Parsed<S['body']>;
  query: Parsed<S['query']>;
  path: Parsed<S['path']>;
  headers: Record<string, string | undefined>;
  cookies: string[];
  requestId: string;
  log: Logger;
  event: APIGatewayProxyEventV2;
  context: Context;
}

/** What a handler returns; `body` is serialised to JSON (undefined: no body, e.g. 204). */
export interface HttpResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  cookies?: string[];
}

export type LambdaHttpEvent = APIGatewayProxyEventV2 & {
  /** Set by the request-context middleware. */
  plp?: { requestId: string; log: Logger; parsedBody?: unknown };
};
export type LambdaHttpResult = APIGatewayProxyStructuredResultV2;
