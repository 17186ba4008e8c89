/**
 * Turns anything a handler or middleware throws into the JSON error {message, code, errors?}.
 * Known, typed errors keep their meaning; anything else becomes an opaque 500 that is logged with
 * the request id. No stack trace or driver message ever reaches the response.
 */
import type { MiddlewareObj } from '@middy/core';
// Any zod error, classic or mini (both are core $ZodErrors), without loading classic zod.
import { $ZodError } from 'zod/v4/core';
import { DatabaseUnavailableError, type Engine } from '../../db/errors';
import {
  ClockMovedBackwardsError,
  InvalidSnowflakeError,
  NoWorkerSlotError,
  WorkerLeaseUnusableError,
} from '../../ids/errors';
import { logger } from '../../logger';
import { InvalidOperationError, StorageConflictError } from '../../storage/errors';
import { BadRequestError, ConflictError, HttpError, ServiceUnavailableError } from '../errors';
import { errorResult } from '../respond';
import type { LambdaHttpEvent, LambdaHttpResult } from '../types';

/**
 * The part of the service a 503 names, never the engine behind it: a client (and whoever reads its
 * logs) can tell "chat is down" from "everything is down" without learning our stack.
 */
const UNAVAILABLE_PART: Partial<Record<Engine, string>> = { cassandra: 'The message store' };

/** Maps an error to the HttpError the client sees. Pure. */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  // Request parts are validated by the stack (BadRequestError); a ZodError reaching here comes from
  // our own code, so it is a server fault: an opaque 500, not internal field paths in a 400.
  if (error instanceof $ZodError) return INTERNAL();
  if (error instanceof InvalidSnowflakeError) {
    return new BadRequestError('Invalid message id', [
      { path: 'id', message: 'must be a message id' },
    ]);
  }
  if (error instanceof DatabaseUnavailableError) {
    const part = UNAVAILABLE_PART[error.engine];
    return part
      ? new ServiceUnavailableError(`${part} is temporarily unavailable; retry shortly`)
      : new ServiceUnavailableError();
  }
  // The id generator cannot mint right now (clock stepped back, no free or usable worker slot).
  if (
    error instanceof ClockMovedBackwardsError ||
    error instanceof NoWorkerSlotError ||
    error instanceof WorkerLeaseUnusableError
  ) {
    return new ServiceUnavailableError('Cannot assign message ids right now; retry shortly');
  }
  if (error instanceof StorageConflictError) return new ConflictError(error.message, error.code);
  if (error instanceof InvalidOperationError) return new BadRequestError(error.message);
  return INTERNAL();
}

const INTERNAL = () => new HttpError(500, 'INTERNAL', 'Internal server error');

export function errorMapper(): MiddlewareObj<LambdaHttpEvent, LambdaHttpResult> {
  return {
    onError: (request) => {
      const httpError = toHttpError(request.error);
      const requestId = request.event.plp?.requestId ?? request.context.awsRequestId;
      const log = request.event.plp?.log ?? logger.child({ requestId });
      if (httpError.status >= 500) {
        log.error('request failed', { status: httpError.status, error: request.error });
      } else {
        log.info('request rejected', { status: httpError.status, code: httpError.code });
      }
      request.response = errorResult(httpError, requestId);
    },
  };
}
