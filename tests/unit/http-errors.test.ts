import { describe, expect, it } from 'vitest';
import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  HttpError,
  NotFoundError,
  PayloadTooLargeError,
  ServiceUnavailableError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
} from '../../lib/http/errors';

describe('HttpError subclasses', () => {
  it.each([
    [new BadRequestError(), 400, 'BAD_REQUEST', 'Bad request', 'BadRequestError'],
    [new UnauthorizedError(), 401, 'UNAUTHORIZED', 'Not signed in', 'UnauthorizedError'],
    [new ForbiddenError(), 403, 'FORBIDDEN', 'Not allowed', 'ForbiddenError'],
    [new NotFoundError(), 404, 'NOT_FOUND', 'Not found', 'NotFoundError'],
    [new ConflictError(), 409, 'CONFLICT', 'Conflict', 'ConflictError'],
    [
      new PayloadTooLargeError(2048),
      413,
      'PAYLOAD_TOO_LARGE',
      'Request body is larger than 2048 bytes',
      'PayloadTooLargeError',
    ],
    [
      new UnsupportedMediaTypeError(),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      'Request body must be application/json',
      'UnsupportedMediaTypeError',
    ],
    [
      new ServiceUnavailableError(),
      503,
      'SERVICE_UNAVAILABLE',
      'A database is temporarily unavailable; retry shortly',
      'ServiceUnavailableError',
    ],
  ])(
    '%s has status %i, code %s, default message and its class name',
    (error, status, code, message, name) => {
      expect(error).toBeInstanceOf(HttpError);
      expect(error).toBeInstanceOf(Error);
      expect(error.status).toBe(status);
      expect(error.code).toBe(code);
      expect(error.message).toBe(message);
      expect(error.name).toBe(name);
    },
  );

  it('keeps a custom message', () => {
    expect(new NotFoundError('No such course').message).toBe('No such course');
    expect(new ConflictError('Email taken').message).toBe('Email taken');
    expect(new ForbiddenError('Teachers only').message).toBe('Teachers only');
    expect(new UnauthorizedError('Session expired').message).toBe('Session expired');
  });

  it('carries field issues on BadRequestError', () => {
    const issues = [{ path: 'body.email', message: 'Invalid email address' }];
    const error = new BadRequestError('Invalid request body', issues);
    expect(error.issues).toEqual(issues);
    expect(new BadRequestError().issues).toBeUndefined();
  });

  it('gives ServiceUnavailableError a Retry-After header and no other error one', () => {
    expect(new ServiceUnavailableError().headers).toEqual({ 'Retry-After': '1' });
    expect(new NotFoundError().headers).toBeUndefined();
  });

  it('lets a base HttpError carry any status, code, issues and headers', () => {
    const error = new HttpError(429, 'RATE_LIMITED', 'Slow down', undefined, {
      'Retry-After': '30',
    });
    expect(error.status).toBe(429);
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.name).toBe('HttpError');
    expect(error.headers).toEqual({ 'Retry-After': '30' });
  });
});
