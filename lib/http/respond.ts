/** Building API Gateway (HTTP API, payload 2.0) responses. */
import type { HttpError } from './errors';
import type { HttpResult, LambdaHttpResult } from './types';

const JSON_HEADERS = {
  'Content-Type': 'application/json; charset=utf-8',
  // API responses carry per-user data: no shared or browser caching.
  'Cache-Control': 'no-store',
};

/** Serialises a handler result: JSON body, no-store caching, cookies as HTTP API expects them. */
export function toLambdaResult(result: HttpResult): LambdaHttpResult {
  return {
    statusCode: result.status,
    headers: { ...JSON_HEADERS, ...result.headers },
    ...(result.body === undefined ? {} : { body: JSON.stringify(result.body) }),
    ...(result.cookies?.length ? { cookies: result.cookies } : {}),
  };
}

/** The JSON error body of every route: {message, code, errors?, requestId}. */
export function errorResult(error: HttpError, requestId: string): LambdaHttpResult {
  return toLambdaResult({
    status: error.status,
    headers: error.headers ?? {},
    body: {
      message: error.message,
      code: error.code,
      ...(error.issues?.length ? { errors: error.issues } : {}),
      requestId,
    },
  });
}
