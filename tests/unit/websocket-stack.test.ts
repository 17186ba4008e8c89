/**
 * lib/websocket/stack.ts with fake API Gateway WebSocket events: the checks every client frame
 * goes through (text, size, JSON, schema) and what each kind of failure answers. No engines.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { DatabaseUnavailableError } from '../../lib/db/errors';
import { ForbiddenError, NotFoundError } from '../../lib/http/errors';
import {
  FrameError,
  frameHandler,
  unmatchedFrameHandler,
  type WebSocketEvent,
  type WebSocketResult,
} from '../../lib/websocket/stack';
import {
  MAX_FRAME_BYTES,
  type RealtimeEvent,
  subscribeFrameSchema,
} from '../../shared/realtime-schema';
import { captureLogLines, useConfigEnv } from '../helpers/config-env';
import { lambdaContext } from '../helpers/lambda';

// The process-wide logger reads LOG_LEVEL when lib/logger is first imported.
vi.hoisted(() => {
  process.env.LOG_LEVEL = 'info';
});

// Handlers below are created while the file is collected, so the environment is set up first.
useConfigEnv('test');
const captured = captureLogLines();

/** A MESSAGE event of API Gateway's WebSocket API carrying `body`. */
function frameEvent(body: string | undefined, { isBase64Encoded = false } = {}): WebSocketEvent {
  const now = Date.now();
  return {
    requestContext: {
      routeKey: 'subscribe',
      messageId: randomUUID(),
      eventType: 'MESSAGE',
      extendedRequestId: randomUUID(),
      requestTime: new Date(now).toUTCString(),
      messageDirection: 'IN',
      stage: 'dev',
      connectedAt: now - 1_000,
      requestTimeEpoch: now,
      requestId: randomUUID(),
      domainName: 'localhost',
      connectionId: 'conn-under-test=',
      apiId: 'local',
    },
    ...(body === undefined ? {} : { body }),
    isBase64Encoded,
  };
}

type Handler = (event: WebSocketEvent, context: ReturnType<typeof lambdaContext>) => unknown;

/** Invokes a WebSocket handler: its status and the event it answers with (parsed). */
async function send(handler: Handler, event: WebSocketEvent) {
  const result = (await handler(event, lambdaContext())) as WebSocketResult;
  return {
    status: result.statusCode,
    event: result.body === undefined ? undefined : (JSON.parse(result.body) as RealtimeEvent),
  };
}

const frame = (value: unknown) => frameEvent(JSON.stringify(value));

/** A subscribe handler that answers `subscribed`, or throws what `failWith` gives. */
function subscribeHandler(failWith?: () => unknown) {
  const seen: unknown[] = [];
  const handler = frameHandler('subscribe', subscribeFrameSchema, async ({ frame }) => {
    seen.push(frame);
    if (failWith) throw failWith();
    return { type: 'subscribed', channelId: frame.channelId };
  });
  return { handler: handler as unknown as Handler, seen };
}

describe('frameHandler', () => {
  it('parses a valid frame and answers with the handler event', async () => {
    const { handler, seen } = subscribeHandler();
    const reply = await send(handler, frame({ action: 'subscribe', channelId: 12 }));
    expect(reply).toEqual({ status: 200, event: { type: 'subscribed', channelId: 12 } });
    expect(seen).toEqual([{ action: 'subscribe', channelId: 12 }]);
    expect(captured.lines().find((l) => l.message === 'request')).toMatchObject({
      level: 'info',
      status: 200,
      connectionId: 'conn-under-test=',
      route: 'subscribe',
    });
  });

  it('answers 200 with no body when the handler returns nothing', async () => {
    const handler = frameHandler('subscribe', subscribeFrameSchema, async () => undefined);
    expect(
      await send(handler as unknown as Handler, frame({ action: 'subscribe', channelId: 1 })),
    ).toEqual({ status: 200, event: undefined });
  });

  it('refuses a binary frame', async () => {
    const { handler, seen } = subscribeHandler();
    const body = Buffer.from(JSON.stringify({ action: 'subscribe', channelId: 1 })).toString(
      'base64',
    );
    const reply = await send(handler, frameEvent(body, { isBase64Encoded: true }));
    expect(reply.status).toBe(200);
    expect(reply.event).toEqual({
      type: 'error',
      code: 'BAD_REQUEST',
      message: 'Frames must be JSON text; binary frames are not accepted',
      action: 'subscribe',
    });
    expect(seen).toEqual([]);
  });

  it('refuses a frame without a body', async () => {
    const { handler, seen } = subscribeHandler();
    const reply = await send(handler, frameEvent(undefined));
    expect(reply.event).toMatchObject({ type: 'error', code: 'BAD_REQUEST', action: 'subscribe' });
    expect(seen).toEqual([]);
  });

  it(`refuses a frame over ${MAX_FRAME_BYTES} bytes, counted in UTF-8`, async () => {
    const { handler, seen } = subscribeHandler();
    const base = JSON.stringify({ action: 'subscribe', channelId: 1, pad: '' });
    // Exactly the limit in characters, over it in bytes (é is 2 bytes in UTF-8).
    const padding = 'é'.repeat(MAX_FRAME_BYTES - base.length);
    const body = JSON.stringify({ action: 'subscribe', channelId: 1, pad: padding });
    expect(body.length).toBe(MAX_FRAME_BYTES);
    const reply = await send(handler, frameEvent(body));
    expect(reply.event).toEqual({
      type: 'error',
      code: 'BAD_REQUEST',
      message: `Frames are limited to ${MAX_FRAME_BYTES} bytes`,
      action: 'subscribe',
    });
    expect(seen).toEqual([]);
  });

  it('checks a frame of exactly the limit against its schema, not its size', async () => {
    const { handler } = subscribeHandler();
    const base = JSON.stringify({ action: 'subscribe', channelId: 1, pad: '' });
    const body = JSON.stringify({
      action: 'subscribe',
      channelId: 1,
      pad: 'x'.repeat(MAX_FRAME_BYTES - base.length),
    });
    expect(Buffer.byteLength(body)).toBe(MAX_FRAME_BYTES);
    const reply = await send(handler, frameEvent(body));
    expect(reply.event).toMatchObject({ type: 'error', code: 'BAD_REQUEST', channelId: 1 });
    expect((reply.event as { message: string }).message).toContain('pad');
  });

  it('refuses a frame that is not JSON', async () => {
    const { handler, seen } = subscribeHandler();
    const reply = await send(handler, frameEvent('{"action":"subscribe",'));
    expect(reply.event).toEqual({
      type: 'error',
      code: 'BAD_REQUEST',
      message: 'The frame is not valid JSON',
      action: 'subscribe',
    });
    expect(seen).toEqual([]);
  });

  it('a schema failure names the problem, with the action and the channel when known', async () => {
    const { handler, seen } = subscribeHandler();
    const badId = await send(handler, frame({ action: 'subscribe', channelId: 'seven' }));
    expect(badId.event).toMatchObject({ type: 'error', code: 'BAD_REQUEST', action: 'subscribe' });
    expect(badId.event).not.toHaveProperty('channelId');
    expect((badId.event as { message: string }).message).toMatch(/^channelId: /);

    const extraKey = await send(handler, frame({ action: 'subscribe', channelId: 9, admin: true }));
    expect(extraKey.event).toMatchObject({
      type: 'error',
      code: 'BAD_REQUEST',
      action: 'subscribe',
      channelId: 9,
    });
    expect((extraKey.event as { message: string }).message).toContain('admin');

    const notAnObject = await send(handler, frame([1, 2]));
    expect(notAnObject.event).toMatchObject({ code: 'BAD_REQUEST', action: 'subscribe' });
    expect(notAnObject.event).not.toHaveProperty('channelId');
    expect(seen).toEqual([]);
  });

  it('the action is always the route’s, whatever the frame claims', async () => {
    const { handler } = subscribeHandler();
    const reply = await send(handler, frame({ action: 'x'.repeat(500), channelId: 3 }));
    expect(reply.event).toMatchObject({ code: 'BAD_REQUEST', action: 'subscribe', channelId: 3 });
  });

  it('a handler throwing NotFoundError answers NOT_FOUND with its message', async () => {
    const { handler } = subscribeHandler(() => new NotFoundError('Channel not found'));
    const reply = await send(handler, frame({ action: 'subscribe', channelId: 5 }));
    expect(reply).toEqual({
      status: 200,
      event: {
        type: 'error',
        code: 'NOT_FOUND',
        message: 'Channel not found',
        action: 'subscribe',
        channelId: 5,
      },
    });
    expect(captured.lines().filter((l) => l.level === 'error')).toEqual([]);
  });

  it('a handler throwing ForbiddenError answers FORBIDDEN', async () => {
    const { handler } = subscribeHandler(() => new ForbiddenError('Not yours'));
    const reply = await send(handler, frame({ action: 'subscribe', channelId: 5 }));
    expect(reply.event).toMatchObject({ code: 'FORBIDDEN', message: 'Not yours' });
  });

  it('a FrameError keeps its own code and message', async () => {
    const { handler } = subscribeHandler(() => new FrameError('LIMIT', 'Too many channels'));
    const reply = await send(handler, frame({ action: 'subscribe', channelId: 5 }));
    expect(reply.event).toEqual({
      type: 'error',
      code: 'LIMIT',
      message: 'Too many channels',
      action: 'subscribe',
      channelId: 5,
    });
  });

  it('a database outage answers SERVICE_UNAVAILABLE and is logged as an error', async () => {
    const { handler } = subscribeHandler(() => new DatabaseUnavailableError('dynamodb'));
    const reply = await send(handler, frame({ action: 'subscribe', channelId: 5 }));
    expect(reply.event).toMatchObject({
      type: 'error',
      code: 'SERVICE_UNAVAILABLE',
      action: 'subscribe',
      channelId: 5,
    });
    expect(captured.lines()).toContainEqual(
      expect.objectContaining({ level: 'error', message: 'frame failed' }),
    );
  });

  it('an unexpected error answers INTERNAL without its message, and is logged', async () => {
    const secret = 'connection string mongodb://admin:hunter2@db';
    const { handler } = subscribeHandler(() => new Error(secret));
    const reply = await send(handler, frame({ action: 'subscribe', channelId: 5 }));
    expect(reply).toEqual({
      status: 200,
      event: {
        type: 'error',
        code: 'INTERNAL',
        message: 'Internal server error',
        action: 'subscribe',
        channelId: 5,
      },
    });
    expect(JSON.stringify(reply)).not.toContain('hunter2');
    const logged = captured.lines().find((l) => l.message === 'frame failed');
    expect(logged).toMatchObject({ level: 'error', code: 'INTERNAL' });
    expect(JSON.stringify(logged)).toContain(secret);
  });

  it('a thrown non-Error is INTERNAL too', async () => {
    const { handler } = subscribeHandler(() => 'a string');
    const reply = await send(handler, frame({ action: 'subscribe', channelId: 5 }));
    expect(reply.event).toMatchObject({ code: 'INTERNAL', message: 'Internal server error' });
  });
});

describe('unmatchedFrameHandler', () => {
  const handler = unmatchedFrameHandler() as unknown as Handler;

  it('names the unknown action', async () => {
    const reply = await send(handler, frame({ action: 'x', channelId: 4 }));
    expect(reply).toEqual({
      status: 200,
      event: {
        type: 'error',
        code: 'BAD_REQUEST',
        message: 'Unknown action "x"',
        action: 'x',
        channelId: 4,
      },
    });
  });

  it('a frame without an action is told what a frame is', async () => {
    for (const body of [{ channelId: 4 }, [1], 'text', 12, { action: 7 }]) {
      const reply = await send(handler, frame(body));
      expect(reply.event).toMatchObject({
        type: 'error',
        code: 'BAD_REQUEST',
        message: 'A frame is a JSON object with an "action"',
      });
      expect(reply.event).not.toHaveProperty('action');
    }
  });

  it('does not echo an overlong action', async () => {
    const reply = await send(handler, frame({ action: 'y'.repeat(65) }));
    expect(reply.event).toMatchObject({ code: 'BAD_REQUEST' });
    expect(reply.event).not.toHaveProperty('action');
  });

  it('refuses bad JSON, binary and oversized frames like any action', async () => {
    const cases = [
      [frameEvent('not json'), 'The frame is not valid JSON'],
      [frameEvent('{}', { isBase64Encoded: true }), 'binary frames are not accepted'],
      [frameEvent(JSON.stringify({ a: 'z'.repeat(MAX_FRAME_BYTES) })), 'Frames are limited'],
    ] as const;
    for (const [event, message] of cases) {
      const reply = await send(handler, event);
      expect(reply.status).toBe(200);
      expect(reply.event).toMatchObject({ type: 'error', code: 'BAD_REQUEST' });
      expect((reply.event as { message: string }).message).toContain(message);
    }
  });
});
