import type { Request } from '@middy/core';
import type { Context } from 'aws-lambda';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { DatabaseUnavailableError, EngineNotConfiguredError } from '../../lib/db/errors';
import {
  BadRequestError,
  ConflictError,
  HttpError,
  ServiceUnavailableError,
} from '../../lib/http/errors';
import { errorMapper, toHttpError } from '../../lib/http/middleware/error-mapper';
import type { LambdaHttpEvent, LambdaHttpResult } from '../../lib/http/types';
import {
  ClockMovedBackwardsError,
  InvalidSnowflakeError,
  NoWorkerSlotError,
} from '../../lib/ids/errors';
import { createLogger } from '../../lib/logger';
import { InvalidOperationError, StorageConflictError } from '../../lib/storage/errors';
import { httpEvent, lambdaContext } from '../helpers/lambda';

describe('toHttpError', () => {
  it('returns an HttpError unchanged', () => {
    const error = new ConflictError('taken');
    expect(toHttpError(error)).toBe(error);
  });

  it('maps a ZodError from our own code to an opaque 500 (request parts are validated earlier)', () => {
    const result = z.object({ n: z.number() }).safeParse({ n: 'x' });
    if (result.success) throw new Error('expected failure');
    const mapped = toHttpError(result.error);
    expect(mapped.status).toBe(500);
    expect(mapped.message).toBe('Internal server error');
    expect(mapped.issues).toBeUndefined();
  });

  it('maps an invalid message id to 400 and the id generator being unable to mint to 503', () => {
    expect(toHttpError(new InvalidSnowflakeError('abc')).status).toBe(400);
    expect(toHttpError(new NoWorkerSlotError(1024)).status).toBe(503);
    expect(toHttpError(new ClockMovedBackwardsError(10, 5)).status).toBe(503);
  });

  it.each(['mongo', 'cassandra', 'dynamodb'] as const)(
    'maps DatabaseUnavailableError(%s) to 503 with Retry-After',
    (engine) => {
      const mapped = toHttpError(new DatabaseUnavailableError(engine));
      expect(mapped).toBeInstanceOf(ServiceUnavailableError);
      expect(mapped.status).toBe(503);
      expect(mapped.headers).toEqual({ 'Retry-After': '1' });
      expect(mapped.message).not.toContain(engine);
    },
  );

  it('names the message store, not the engine, when Cassandra is unavailable', () => {
    expect(toHttpError(new DatabaseUnavailableError('cassandra')).message).toBe(
      'The message store is temporarily unavailable; retry shortly',
    );
    expect(toHttpError(new DatabaseUnavailableError('mongo')).message).toBe(
      'A database is temporarily unavailable; retry shortly',
    );
  });

  it('maps a StorageConflictError to 409 with its message', () => {
    const mapped = toHttpError(new StorageConflictError('That username is taken', 'username'));
    expect(mapped).toBeInstanceOf(ConflictError);
    expect(mapped.status).toBe(409);
    expect(mapped.message).toBe('That username is taken');
  });

  it('maps a storage InvalidOperationError to 400', () => {
    const mapped = toHttpError(
      new InvalidOperationError('A direct message needs two different users'),
    );
    expect(mapped.status).toBe(400);
    expect(mapped.message).toBe('A direct message needs two different users');
  });

  it.each([
    ['a plain Error', new Error('secret driver detail')],
    ['a TypeError', new TypeError('x is undefined')],
    ['an unconfigured engine', new EngineNotConfiguredError('cassandra')],
    ['a string', 'oops'],
    ['undefined', undefined],
    ['an object with statusCode', { statusCode: 404, message: 'nope' }],
  ])('maps %s to an opaque 500', (_, error) => {
    const mapped = toHttpError(error);
    expect(mapped).toBeInstanceOf(HttpError);
    expect(mapped.status).toBe(500);
    expect(mapped.code).toBe('INTERNAL');
    expect(mapped.message).toBe('Internal server error');
    expect(mapped.issues).toBeUndefined();
    expect(mapped.headers).toBeUndefined();
  });
});

type MiddyRequest = Request<LambdaHttpEvent, LambdaHttpResult, Error, Context>;

function middyRequest(error: unknown, event: LambdaHttpEvent = httpEvent()): MiddyRequest {
  return {
    event,
    context: lambdaContext(),
    response: undefined,
    error: error as Error,
    internal: {},
  } as unknown as MiddyRequest;
}

describe('errorMapper().onError', () => {
  let lines: Record<string, unknown>[];
  const log = createLogger('debug', { requestId: 'req-from-context' }, (line) =>
    lines.push(JSON.parse(line) as Record<string, unknown>),
  );

  beforeEach(() => {
    lines = [];
  });

  it('sets the JSON error response with the request id of the request context', async () => {
    const request = middyRequest(new ConflictError('taken'), {
      ...httpEvent(),
      plp: { requestId: 'req-from-context', log },
    });
    await errorMapper().onError?.(request);
    expect(request.response?.statusCode).toBe(409);
    expect(JSON.parse(request.response?.body as string)).toEqual({
      message: 'taken',
      code: 'CONFLICT',
      requestId: 'req-from-context',
    });
    expect(lines).toEqual([
      expect.objectContaining({ level: 'info', message: 'request rejected', status: 409 }),
    ]);
  });

  it('logs a 500 at error level with the original error, and hides it from the response', async () => {
    const request = middyRequest(new Error('secret driver detail'), {
      ...httpEvent(),
      plp: { requestId: 'req-from-context', log },
    });
    await errorMapper().onError?.(request);
    expect(request.response?.statusCode).toBe(500);
    expect(request.response?.body).not.toContain('secret');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'error',
      message: 'request failed',
      status: 500,
      requestId: 'req-from-context',
      error: { name: 'Error', message: 'secret driver detail' },
    });
  });

  it('falls back to the Lambda request id when no request context ran', async () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const request = middyRequest(new BadRequestError('nope'));
      await errorMapper().onError?.(request);
      expect(request.response?.statusCode).toBe(400);
      expect(JSON.parse(request.response?.body as string).requestId).toBe(
        request.context.awsRequestId,
      );
    } finally {
      write.mockRestore();
    }
  });
});
