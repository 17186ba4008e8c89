/** Types shared by the middy stack and the handlers built on it. */
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import type { z } from 'zod';
import type { Logger } from '../logger';

/** The zod schemas a route validates; each one that is given must accept its part of the request. */
export interface RouteSchemas {
  body?: z.ZodType;
  query?: z.ZodType;
  path?: z.ZodType;
}

type Parsed<S extends z.ZodType | undefined> = S extends z.ZodType ? z.output<S> : undefined;

/** What a handler receives: the validated request parts plus the request's logger and id. */
export interface HttpRequest<S extends RouteSchemas> {
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
