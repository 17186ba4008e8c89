/** Gives every request an id and a logger carrying it, and logs one line per request. */
import type { MiddlewareObj } from '@middy/core';
import { logger } from '../../logger';
import type { LambdaHttpEvent, LambdaHttpResult } from '../types';

let coldStart = true;

export function requestContext(): MiddlewareObj<LambdaHttpEvent, LambdaHttpResult> {
  return {
    before: (request) => {
      const { event, context } = request;
      // The invocation id is unique everywhere (serverless-offline repeats one API request id);
      // the API Gateway id is logged beside it to join with access logs.
      const requestId = context.awsRequestId;
      const log = logger.child({
        requestId,
        apiRequestId: event.requestContext?.requestId,
        coldStart,
        route: event.routeKey,
        function: context.functionName,
      });
      coldStart = false;
      event.plp = { requestId, log };
      (request.internal as Record<string, unknown>).startedAt = performance.now();
    },
    after: (request) => {
      const started = (request.internal as Record<string, unknown>).startedAt as number;
      request.event.plp?.log.info('request', {
        status: request.response?.statusCode,
        durationMs: Math.round(performance.now() - started),
      });
    },
  };
}
