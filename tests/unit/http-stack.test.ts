import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { DatabaseUnavailableError } from '../../lib/db/errors';
import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  HttpError,
  NotFoundError,
  UnauthorizedError,
} from '../../lib/http/errors';
import { httpHandler, REQUEST_DEADLINE_MARGIN_MS } from '../../lib/http/stack';
import type { HttpRequest, RouteSchemas } from '../../lib/http/types';
import { captureLogLines, useConfigEnv } from '../helpers/config-env';
import { type EventOptions, httpEvent, invoke, lambdaContext } from '../helpers/lambda';

// The process-wide logger reads LOG_LEVEL when lib/logger is first imported.
vi.hoisted(() => {
  process.env.LOG_LEVEL = 'info';
});

// Handlers below are created while the file is collected, so the environment is set up first.
const { apply: setEnv } = useConfigEnv('test');
const captured = captureLogLines();

const JSON_HEADERS = { 'content-type': 'application/json' };

/** Header lookup by lower-case name, as HTTP treats names. */
function header(headers: Record<string, unknown> | undefined, name: string): unknown {
  const entry = Object.entries(headers ?? {}).find(([key]) => key.toLowerCase() === name);
  return entry?.[1];
}

type AnyHandler = Parameters<typeof invoke>[0];

/** The errors[] of a JSON error body (empty when absent). */
function issuesOf(body: Record<string, unknown> | undefined): { path: string; message: string }[] {
  return (body?.errors ?? []) as { path: string; message: string }[];
}

/** Invokes with a known context, returning the raw result too (invoke() drops cookies). */
async function call(handler: AnyHandler, options: EventOptions = {}) {
  const context = lambdaContext();
  const raw = (await handler(httpEvent(options), context)) as APIGatewayProxyStructuredResultV2;
  return {
    raw,
    context,
    status: raw.statusCode,
    body: raw.body === undefined ? undefined : (JSON.parse(raw.body) as Record<string, unknown>),
  };
}

const userBody = z
  .object({
    email: z.email(),
    name: z.string().min(1),
    tags: z.array(z.string().min(2)).optional(),
  })
  .strict();

describe('httpHandler: success', () => {
  const echo = httpHandler(
    {
      auth: 'none',
      body: userBody,
      query: z.object({ limit: z.coerce.number().int().min(1).max(50) }).strict(),
      path: z.object({ id: z.string().regex(/^u\d+$/) }),
    },
    async (req) => ({
      status: 200,
      body: { body: req.body, query: req.query, path: req.path, requestId: req.requestId },
    }),
  );

  const valid = {
    method: 'POST',
    headers: JSON_HEADERS,
    body: JSON.stringify({ email: 'ada@example.com', name: 'Ada' }),
    query: { limit: '5' },
    pathParameters: { id: 'u42' },
  };

  it('returns the handler result as JSON with the parsed, validated request parts', async () => {
    const { status, raw, body, context } = await call(echo, valid);
    expect(status).toBe(200);
    expect(body).toEqual({
      body: { email: 'ada@example.com', name: 'Ada' },
      query: { limit: 5 },
      path: { id: 'u42' },
      requestId: context.awsRequestId,
    });
    expect(header(raw.headers, 'content-type')).toMatch(/^application\/json/);
    expect(header(raw.headers, 'cache-control')).toBe('no-store');
  });

  it('adds security headers, without an empty Reporting-Endpoints header', async () => {
    const { headers } = await invoke(echo, valid);
    expect(header(headers, 'x-content-type-options')).toBe('nosniff');
    expect(header(headers, 'strict-transport-security')).toMatch(/max-age=\d+/);
    expect(header(headers, 'referrer-policy')).toBe('no-referrer');
    const reporting = Object.keys(headers).filter((k) => k.toLowerCase() === 'reporting-endpoints');
    expect(reporting).toEqual([]);
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined) continue; // helmet's Server / X-Powered-By removal
      expect(String(value), `header ${name}`).not.toBe('');
    }
  });

  it('accepts a +json media type and a charset parameter', async () => {
    for (const contentType of ['application/json; charset=utf-8', 'application/merge-patch+json']) {
      const { status } = await invoke(echo, { ...valid, headers: { 'content-type': contentType } });
      expect(status, contentType).toBe(200);
    }
  });

  it('logs one request line with the status and the request id', async () => {
    const { context } = await call(echo, valid);
    const line = captured.lines().find((l) => l.message === 'request');
    expect(line).toMatchObject({
      level: 'info',
      status: 200,
      requestId: context.awsRequestId,
      function: 'test-function',
      route: 'POST /api/test',
    });
    expect(typeof line?.durationMs).toBe('number');
  });

  it('gives each invocation its own request id from the Lambda context', async () => {
    const first = await call(echo, valid);
    const second = await call(echo, valid);
    expect(first.body?.requestId).toBe(first.context.awsRequestId);
    expect(second.body?.requestId).toBe(second.context.awsRequestId);
    expect(first.body?.requestId).not.toBe(second.body?.requestId);
  });

  it('passes headers, cookies, event and context to the handler', async () => {
    let seen: HttpRequest<RouteSchemas> | undefined;
    const handler = httpHandler({ auth: 'none' }, async (req) => {
      seen = req;
      return { status: 200, body: { ok: true } };
    });
    const { context } = await call(handler, {
      headers: { 'x-trace': 't1' },
      cookies: ['sid=abc'],
    });
    expect(seen?.headers['x-trace']).toBe('t1');
    expect(seen?.cookies).toEqual(['sid=abc']);
    expect(seen?.context).toBe(context);
    expect(seen?.event.rawPath).toBe('/api/test');
    expect(seen?.body).toBeUndefined();
    expect(seen?.query).toBeUndefined();
    expect(seen?.path).toBeUndefined();
  });

  it('does not require a JSON body when the route has no body schema', async () => {
    const handler = httpHandler({ auth: 'none' }, async () => ({
      status: 200,
      body: { ok: true },
    }));
    const { status, body } = await invoke(handler, { method: 'GET' });
    expect(status).toBe(200);
    expect(body).toEqual({ ok: true });
  });

  it('returns cookies set by the handler in result.cookies', async () => {
    const handler = httpHandler({ auth: 'none' }, async () => ({
      status: 200,
      body: { ok: true },
      cookies: ['sid=abc; HttpOnly; Secure; SameSite=Lax', 'theme=dark'],
    }));
    const { raw } = await call(handler);
    expect(raw.cookies).toEqual(['sid=abc; HttpOnly; Secure; SameSite=Lax', 'theme=dark']);
  });

  it('leaves cookies out when the handler sets none', async () => {
    const handler = httpHandler({ auth: 'none' }, async () => ({
      status: 200,
      body: {},
      cookies: [],
    }));
    const { raw } = await call(handler);
    expect(raw).not.toHaveProperty('cookies');
  });

  it('returns 204 with no body', async () => {
    const handler = httpHandler({ auth: 'none' }, async () => ({ status: 204 }));
    const { raw, status, body } = await call(handler, { method: 'DELETE' });
    expect(status).toBe(204);
    expect(raw).not.toHaveProperty('body');
    expect(body).toBeUndefined();
    expect(header(raw.headers, 'cache-control')).toBe('no-store');
  });

  it('keeps headers the handler sets', async () => {
    const handler = httpHandler({ auth: 'none' }, async () => ({
      status: 201,
      body: { id: 'x' },
      headers: { Location: '/api/things/x' },
    }));
    const { headers, status } = await invoke(handler);
    expect(status).toBe(201);
    expect(header(headers, 'location')).toBe('/api/things/x');
    expect(header(headers, 'cache-control')).toBe('no-store');
  });
});

describe('httpHandler: validation (400)', () => {
  const handle = vi.fn(async () => ({ status: 200, body: { ok: true } }));
  const handler = httpHandler(
    {
      auth: 'none',
      body: userBody,
      query: z.object({ limit: z.coerce.number().int().min(1).max(50) }).strict(),
      path: z.object({ id: z.string().regex(/^u\d+$/) }),
    },
    handle,
  );
  const good = {
    method: 'POST',
    headers: JSON_HEADERS,
    body: JSON.stringify({ email: 'ada@example.com', name: 'Ada' }),
    query: { limit: '5' },
    pathParameters: { id: 'u42' },
  };

  beforeEach(() => handle.mockClear());

  it('rejects an invalid body with the path of each bad field', async () => {
    const { status, body, context } = await call(handler, {
      ...good,
      body: JSON.stringify({ email: 'not-an-email', name: '', tags: ['ok', 'x'] }),
    });
    expect(status).toBe(400);
    expect(body?.code).toBe('BAD_REQUEST');
    expect(body?.message).toBe('Invalid request body');
    expect(body?.requestId).toBe(context.awsRequestId);
    const paths = issuesOf(body).map((e) => e.path);
    expect(paths.sort()).toEqual(['body.email', 'body.name', 'body.tags.1']);
    for (const issue of issuesOf(body)) {
      expect(issue.message.length).toBeGreaterThan(0);
    }
    expect(handle).not.toHaveBeenCalled();
  });

  it('rejects a missing required field', async () => {
    const { status, body } = await invoke(handler, {
      ...good,
      body: JSON.stringify({ email: 'ada@example.com' }),
    });
    expect(status).toBe(400);
    expect(body?.errors).toEqual([{ path: 'body.name', message: expect.any(String) }]);
  });

  it('rejects an unknown key under a strict schema', async () => {
    const { status, body } = await invoke(handler, {
      ...good,
      body: JSON.stringify({ email: 'ada@example.com', name: 'Ada', isAdmin: true }),
    });
    expect(status).toBe(400);
    const errors = issuesOf(body);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.path).toBe('body');
    expect(errors[0]?.message).toContain('isAdmin');
    expect(handle).not.toHaveBeenCalled();
  });

  it('reports (root)-level problems of a non-object body at "body"', async () => {
    const { status, body } = await invoke(handler, { ...good, body: '[1,2]' });
    expect(status).toBe(400);
    expect(body?.errors).toEqual([{ path: 'body', message: expect.any(String) }]);
  });

  it('rejects an invalid query with query.* paths', async () => {
    const { status, body } = await invoke(handler, { ...good, query: { limit: '500' } });
    expect(status).toBe(400);
    expect(body?.message).toBe('Invalid request query');
    expect(body?.errors).toEqual([{ path: 'query.limit', message: expect.any(String) }]);
  });

  it('rejects a missing query (absent queryStringParameters validated as {})', async () => {
    const { status, body } = await invoke(handler, { ...good, query: undefined });
    expect(status).toBe(400);
    expect(body?.errors).toEqual([{ path: 'query.limit', message: expect.any(String) }]);
  });

  it('rejects an invalid path parameter with path.* paths', async () => {
    const { status, body } = await invoke(handler, { ...good, pathParameters: { id: '42' } });
    expect(status).toBe(400);
    expect(body?.message).toBe('Invalid request path');
    expect(body?.errors).toEqual([{ path: 'path.id', message: expect.any(String) }]);
    expect(handle).not.toHaveBeenCalled();
  });

  it('carries security and no-store headers on error responses too', async () => {
    const { status, headers } = await invoke(handler, { ...good, pathParameters: { id: '42' } });
    expect(status).toBe(400);
    expect(header(headers, 'content-type')).toMatch(/^application\/json/);
    expect(header(headers, 'cache-control')).toBe('no-store');
    expect(header(headers, 'x-content-type-options')).toBe('nosniff');
    expect(header(headers, 'strict-transport-security')).toBeTruthy();
  });
});

describe('httpHandler: JSON body handling', () => {
  const handle = vi.fn(async () => ({ status: 200, body: { ok: true } }));
  let handler: ReturnType<typeof httpHandler>;

  beforeAll(() => {
    setEnv({ HTTP_MAX_BODY_BYTES: '2048' });
    handler = httpHandler({ auth: 'none', body: z.object({ text: z.string() }).strict() }, handle);
    setEnv();
  });
  beforeEach(() => handle.mockClear());

  it('accepts a body exactly at the limit', async () => {
    // {"text":"…"} is 11 bytes of framing.
    const body = JSON.stringify({ text: 'a'.repeat(2048 - 11) });
    expect(Buffer.byteLength(body)).toBe(2048);
    const { status } = await invoke(handler, { method: 'POST', headers: JSON_HEADERS, body });
    expect(status).toBe(200);
    expect(handle).toHaveBeenCalledTimes(1);
  });

  it('answers 413 for a body over HTTP_MAX_BODY_BYTES (read when the handler is created)', async () => {
    const body = JSON.stringify({ text: 'a'.repeat(2048 - 10) });
    expect(Buffer.byteLength(body)).toBe(2049);
    const { status, body: response } = await invoke(handler, {
      method: 'POST',
      headers: JSON_HEADERS,
      body,
    });
    expect(status).toBe(413);
    expect(response).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(response?.message).toContain('2048');
    expect(handle).not.toHaveBeenCalled();
  });

  it('counts bytes, not characters, against the limit', async () => {
    // 1100 two-byte characters: 1111 characters of JSON but 2211 bytes.
    const body = JSON.stringify({ text: 'é'.repeat(1100) });
    expect(body.length).toBeLessThan(2048);
    const { status } = await invoke(handler, { method: 'POST', headers: JSON_HEADERS, body });
    expect(status).toBe(413);
  });

  it('checks the size before the content type', async () => {
    const { status } = await invoke(handler, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'x'.repeat(5000),
    });
    expect(status).toBe(413);
  });

  it.each([
    ['text/plain', { 'content-type': 'text/plain' }],
    ['form data', { 'content-type': 'application/x-www-form-urlencoded' }],
    ['a json look-alike', { 'content-type': 'application/jsonp' }],
    ['no content type', {}],
  ])('answers 415 for %s', async (_, headers) => {
    const { status, body } = await invoke(handler, {
      method: 'POST',
      headers: headers as Record<string, string>,
      body: '{"text":"hi"}',
    });
    expect(status).toBe(415);
    expect(body).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(handle).not.toHaveBeenCalled();
  });

  it('answers 400 (not 415) for malformed JSON', async () => {
    const { status, body } = await invoke(handler, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: '{"text": "unterminated',
    });
    expect(status).toBe(400);
    expect(body).toMatchObject({ code: 'BAD_REQUEST', message: 'Request body is not valid JSON' });
    expect(issuesOf(body)[0]?.path).toBe('body');
    expect(handle).not.toHaveBeenCalled();
  });

  it.each([
    ['an empty body', ''],
    ['a whitespace body', '  \n '],
    ['no body at all', undefined],
  ])('answers 400 for %s', async (_, body) => {
    const { status, body: response } = await invoke(handler, {
      method: 'POST',
      headers: JSON_HEADERS,
      ...(body === undefined ? {} : { body }),
    });
    expect(status).toBe(400);
    expect(response).toMatchObject({ code: 'BAD_REQUEST', message: 'Request body is required' });
    expect(handle).not.toHaveBeenCalled();
  });
});

describe('httpHandler: errors thrown by the handler', () => {
  const throwing = (error: unknown) =>
    httpHandler({ auth: 'none' }, async () => {
      throw error;
    });

  it.each([
    [new BadRequestError('bad thing'), 400, 'BAD_REQUEST', 'bad thing'],
    [new UnauthorizedError(), 401, 'UNAUTHORIZED', 'Not signed in'],
    [new ForbiddenError(), 403, 'FORBIDDEN', 'Not allowed'],
    [new NotFoundError('No such course'), 404, 'NOT_FOUND', 'No such course'],
    [new ConflictError('Email already registered'), 409, 'CONFLICT', 'Email already registered'],
    [new HttpError(429, 'RATE_LIMITED', 'Slow down'), 429, 'RATE_LIMITED', 'Slow down'],
  ])(
    'maps %s to its status and {message, code, requestId}',
    async (error, status, code, message) => {
      const result = await call(throwing(error));
      expect(result.status).toBe(status);
      expect(result.body).toEqual({ message, code, requestId: result.context.awsRequestId });
    },
  );

  it('includes the issues of a BadRequestError as errors[]', async () => {
    const issues = [{ path: 'body.start', message: 'must be before end' }];
    const { status, body } = await invoke(throwing(new BadRequestError('Invalid range', issues)));
    expect(status).toBe(400);
    expect(body?.errors).toEqual(issues);
  });

  it('answers 503 with Retry-After and no driver detail for DatabaseUnavailableError', async () => {
    const cause = new Error('connect ECONNREFUSED 10.1.2.3:27017 secret-host');
    const { status, body, headers } = await invoke(
      throwing(new DatabaseUnavailableError('mongo', { cause })),
    );
    expect(status).toBe(503);
    expect(header(headers, 'retry-after')).toBe('1');
    expect(body).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    const text = JSON.stringify(body);
    expect(text).not.toContain('ECONNREFUSED');
    expect(text).not.toContain('secret-host');
    expect(text).not.toContain('mongo is unavailable');
  });

  it('answers an opaque 500 for an unknown error and logs it with the request id', async () => {
    const error = new Error('secret driver detail');
    const { status, raw, body, context } = await call(throwing(error));
    expect(status).toBe(500);
    expect(body).toEqual({
      message: 'Internal server error',
      code: 'INTERNAL',
      requestId: context.awsRequestId,
    });
    expect(raw.body).not.toContain('secret driver detail');
    expect(raw.body).not.toContain('stack');
    expect(raw.body).not.toContain('at ');
    expect(header(raw.headers, 'x-content-type-options')).toBe('nosniff');

    const logged = captured.lines().find((l) => l.message === 'request failed');
    expect(logged).toMatchObject({
      level: 'error',
      status: 500,
      requestId: context.awsRequestId,
      error: { name: 'Error', message: 'secret driver detail' },
    });
  });

  it('answers 500 for a thrown non-Error value', async () => {
    const { status, body } = await invoke(throwing('a string'));
    expect(status).toBe(500);
    expect(body?.code).toBe('INTERNAL');
    expect(JSON.stringify(body)).not.toContain('a string');
  });

  it('answers an opaque 500 for a ZodError thrown by the handler (our bug, not bad input)', async () => {
    const handler = httpHandler({ auth: 'none' }, async () => {
      z.object({ age: z.number().int() }).parse({ age: 'old' });
      return { status: 200 };
    });
    const { status, body } = await invoke(handler);
    expect(status).toBe(500);
    expect(body).toMatchObject({ code: 'INTERNAL', message: 'Internal server error' });
    expect(body?.errors).toBeUndefined();
  });

  it('answers 400 naming an unknown query parameter on a route that takes none', async () => {
    const handler = httpHandler({ auth: 'none' }, async () => ({
      status: 200,
      body: { ok: true },
    }));
    const { status, body } = await invoke(handler, { query: { debug: '1' } });
    expect(status).toBe(400);
    expect(body?.errors).toEqual([{ path: 'query', message: expect.stringContaining('debug') }]);
  });

  it('logs 4xx rejections at info with their code, not as failures', async () => {
    await invoke(throwing(new NotFoundError()));
    expect(captured.lines().find((l) => l.message === 'request failed')).toBeUndefined();
    expect(captured.lines().find((l) => l.message === 'request rejected')).toMatchObject({
      level: 'info',
      status: 404,
      code: 'NOT_FOUND',
    });
  });
});

describe('httpHandler: request deadline', () => {
  /** A context whose function has `remainingMs` left when the handler starts. */
  const contextWith = (remainingMs: number) => {
    const deadline = Date.now() + remainingMs;
    return { ...lambdaContext(), getRemainingTimeInMillis: () => deadline - Date.now() };
  };

  it(`answers 503 with Retry-After ${REQUEST_DEADLINE_MARGIN_MS} ms before the function's timeout, and logs it`, async () => {
    let finish: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const slow = httpHandler({ auth: 'none' }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      finish();
      return { status: 200, body: { late: true } };
    });
    const context = contextWith(REQUEST_DEADLINE_MARGIN_MS + 200);
    const started = Date.now();
    const raw = (await slow(httpEvent(), context)) as APIGatewayProxyStructuredResultV2;
    const elapsed = Date.now() - started;

    expect(raw.statusCode).toBe(503);
    expect(header(raw.headers, 'retry-after')).toBe('1');
    expect(JSON.parse(raw.body as string)).toEqual({
      message: 'The request took too long; retry shortly',
      code: 'SERVICE_UNAVAILABLE',
      requestId: context.awsRequestId,
    });
    // Answered at the deadline (about 200 ms in), not when the handler finished (1.5 s).
    expect(elapsed).toBeLessThan(1_000);
    expect(captured.lines().find((l) => l.message === 'request failed')).toMatchObject({
      level: 'error',
      status: 503,
      error: { name: 'DeadlineExceededError' },
    });

    // The abandoned work still ends, and its end is logged.
    await finished;
    await new Promise((resolve) => setImmediate(resolve));
    expect(
      captured
        .lines()
        .find((l) => l.message === 'request finished after its deadline had answered 503'),
    ).toMatchObject({ level: 'warn', status: 200, requestId: context.awsRequestId });
  });

  it('lets a request that finishes before the deadline answer as usual', async () => {
    const quick = httpHandler({ auth: 'none' }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return { status: 200, body: { ok: true } };
    });
    const raw = (await quick(
      httpEvent(),
      contextWith(REQUEST_DEADLINE_MARGIN_MS + 1_000),
    )) as APIGatewayProxyStructuredResultV2;
    expect(raw.statusCode).toBe(200);
    expect(JSON.parse(raw.body as string)).toEqual({ ok: true });
    expect(captured.lines().some((l) => String(l.message).includes('after its deadline'))).toBe(
      false,
    );
  });
});

describe('httpHandler: configuration', () => {
  it('reads the configuration when the handler is created, failing fast on a bad environment', () => {
    setEnv({ SESSIONS_TABLE: '!' });
    try {
      expect(() => httpHandler({ auth: 'none' }, async () => ({ status: 200 }))).toThrow(
        /SESSIONS_TABLE/,
      );
    } finally {
      setEnv();
    }
  });

  it('refuses Idempotency-Keys on a route without a session when the handler is created', () => {
    const scope = { scope: 'POST /api/x' };
    expect(() =>
      httpHandler({ auth: 'none', idempotency: scope }, async () => ({ status: 200 })),
    ).toThrow(/idempotency needs auth: session/);
    expect(() =>
      httpHandler({ auth: 'session', idempotency: scope }, async () => ({ status: 200 })),
    ).not.toThrow();
  });
});
