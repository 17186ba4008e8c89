import { describe, expect, it } from 'vitest';
import {
  BadRequestError,
  HttpError,
  NotFoundError,
  ServiceUnavailableError,
} from '../../lib/http/errors';
import { errorResult, toLambdaResult } from '../../lib/http/respond';

describe('toLambdaResult', () => {
  it('serialises the body as JSON with JSON and no-store headers', () => {
    const result = toLambdaResult({ status: 200, body: { a: 1, b: ['x'] } });
    expect(result).toEqual({
      statusCode: 200,
      headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' },
      body: '{"a":1,"b":["x"]}',
    });
  });

  it('omits the body when it is undefined (204)', () => {
    const result = toLambdaResult({ status: 204 });
    expect(result.statusCode).toBe(204);
    expect(result).not.toHaveProperty('body');
  });

  it('serialises falsy bodies rather than dropping them', () => {
    expect(toLambdaResult({ status: 200, body: null }).body).toBe('null');
    expect(toLambdaResult({ status: 200, body: 0 }).body).toBe('0');
    expect(toLambdaResult({ status: 200, body: '' }).body).toBe('""');
    expect(toLambdaResult({ status: 200, body: false }).body).toBe('false');
  });

  it('merges handler headers over the defaults', () => {
    const result = toLambdaResult({
      status: 201,
      body: {},
      headers: { Location: '/x', 'Cache-Control': 'private, max-age=60' },
    });
    expect(result.headers).toEqual({
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'private, max-age=60',
      Location: '/x',
    });
  });

  it('passes cookies through and leaves out an empty list', () => {
    expect(toLambdaResult({ status: 200, body: {}, cookies: ['a=1', 'b=2'] }).cookies).toEqual([
      'a=1',
      'b=2',
    ]);
    expect(toLambdaResult({ status: 200, body: {}, cookies: [] })).not.toHaveProperty('cookies');
    expect(toLambdaResult({ status: 200, body: {} })).not.toHaveProperty('cookies');
  });
});

describe('errorResult', () => {
  it('builds {message, code, requestId} without errors when there are no issues', () => {
    const result = errorResult(new NotFoundError('No such course'), 'req-1');
    expect(result.statusCode).toBe(404);
    expect(JSON.parse(result.body as string)).toEqual({
      message: 'No such course',
      code: 'NOT_FOUND',
      requestId: 'req-1',
    });
  });

  it('includes errors[] when the error has issues', () => {
    const issues = [{ path: 'body.email', message: 'Invalid email address' }];
    const result = errorResult(new BadRequestError('Invalid request body', issues), 'req-2');
    expect(JSON.parse(result.body as string)).toEqual({
      message: 'Invalid request body',
      code: 'BAD_REQUEST',
      errors: issues,
      requestId: 'req-2',
    });
  });

  it('leaves out an empty issue list', () => {
    const result = errorResult(new BadRequestError('Bad', []), 'req-3');
    expect(JSON.parse(result.body as string)).not.toHaveProperty('errors');
  });

  it('adds the error headers (Retry-After) to the JSON headers', () => {
    const result = errorResult(new ServiceUnavailableError(), 'req-4');
    expect(result.statusCode).toBe(503);
    expect(result.headers).toEqual({
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-store',
      'Retry-After': '1',
    });
  });

  it('never serialises the stack of the error', () => {
    const result = errorResult(new HttpError(500, 'INTERNAL', 'Internal server error'), 'r');
    expect(result.body).not.toContain('stack');
    expect(Object.keys(JSON.parse(result.body as string)).sort()).toEqual([
      'code',
      'message',
      'requestId',
    ]);
  });
});
