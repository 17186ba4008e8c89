/**
 * The middy stack of the WebSocket API's handlers, the counterpart of lib/http/stack.ts: one
 * logger per invocation (with the connection id), the same error meanings, and for client frames
 * the checks every action shares (text, size, JSON, schema). A frame handler returns the event to
 * answer with, or nothing; API Gateway sends the answer back on the connection (the routes set
 * routeResponseSelectionExpression), so no Management API call is spent on a reply.
 *
 *   export const handler = frameHandler('ping', pingFrameSchema, async () => ({ type: 'pong' }));
 */
import middy from '@middy/core';
import type { APIGatewayProxyWebsocketEventV2, Context } from 'aws-lambda';
import type * as z from 'zod/mini';
import type { $ZodError } from 'zod/v4/core';
import {
  type ClientAction,
  MAX_FRAME_BYTES,
  type RealtimeErrorCode,
  type RealtimeEvent,
} from '../../shared/realtime-schema';
import { toHttpError } from '../http/middleware/error-mapper';
import { type Logger, logger } from '../logger';

/** What API Gateway sends a WebSocket route's function ($connect adds headers and the query). */
export type WebSocketEvent = APIGatewayProxyWebsocketEventV2 & {
  headers?: Record<string, string | undefined>;
  queryStringParameters?: Record<string, string | undefined> | null;
};

export interface WebSocketResult {
  statusCode: number;
  body?: string;
}

export interface WebSocketRequest {
  connectionId: string;
  event: WebSocketEvent;
  log: Logger;
}

/** An error answered to the client as an `error` event, the connection staying open. */
export class FrameError extends Error {
  constructor(
    readonly code: RealtimeErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const FRAME_CODES: Record<number, RealtimeErrorCode> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  413: 'BAD_REQUEST',
  503: 'SERVICE_UNAVAILABLE',
};

let coldStart = true;

/** Wraps a WebSocket route handler: context, logging, and an error becomes `onError`'s answer. */
export function webSocketHandler(
  handle: (request: WebSocketRequest) => Promise<WebSocketResult>,
  onError: (error: unknown, request: WebSocketRequest) => WebSocketResult,
) {
  const core = async (event: WebSocketEvent, context: Context): Promise<WebSocketResult> => {
    const started = performance.now();
    const { connectionId, routeKey, requestId: apiRequestId } = event.requestContext;
    const log = logger.child({
      requestId: context.awsRequestId,
      apiRequestId,
      coldStart,
      route: routeKey,
      connectionId,
      function: context.functionName,
    });
    coldStart = false;
    const request = { connectionId, event, log };
    let result: WebSocketResult;
    try {
      result = await handle(request);
    } catch (error) {
      result = onError(error, request);
    }
    log.info('request', {
      status: result.statusCode,
      durationMs: Math.round(performance.now() - started),
    });
    return result;
  };
  return middy<WebSocketEvent, WebSocketResult>().handler(core);
}

const answer = (event: RealtimeEvent): WebSocketResult => ({
  statusCode: 200,
  body: JSON.stringify(event),
});

/** The error event of a failed frame: its code, and the action and channel when they are known. */
function errorAnswer(error: unknown, log: Logger, known: { action?: string; channelId?: number }) {
  let code: RealtimeErrorCode;
  let message: string;
  if (error instanceof FrameError) {
    ({ code, message } = error);
  } else {
    const httpError = toHttpError(error);
    code = FRAME_CODES[httpError.status] ?? 'INTERNAL';
    message = code === 'INTERNAL' ? 'Internal server error' : httpError.message;
    if (httpError.status >= 500) log.error('frame failed', { code, error });
  }
  return answer({ type: 'error', code, message, ...known });
}

/** What a frame told us before it failed validation, for the error event. */
function knownParts(frame: unknown): { action?: string; channelId?: number } {
  if (typeof frame !== 'object' || frame === null) return {};
  const { action, channelId } = frame as Record<string, unknown>;
  return {
    ...(typeof action === 'string' && action.length <= 64 ? { action } : {}),
    ...(Number.isSafeInteger(channelId) ? { channelId: channelId as number } : {}),
  };
}

/** Reads a client frame: a JSON text of at most MAX_FRAME_BYTES, else a FrameError. */
export function readFrame(event: WebSocketEvent): unknown {
  const { body } = event;
  if (typeof body !== 'string' || event.isBase64Encoded) {
    throw new FrameError('BAD_REQUEST', 'Frames must be JSON text; binary frames are not accepted');
  }
  if (Buffer.byteLength(body, 'utf8') > MAX_FRAME_BYTES) {
    throw new FrameError('BAD_REQUEST', `Frames are limited to ${MAX_FRAME_BYTES} bytes`);
  }
  try {
    return JSON.parse(body);
  } catch {
    throw new FrameError('BAD_REQUEST', 'The frame is not valid JSON');
  }
}

/** The issues of a frame that failed its schema, as one readable line. */
const describeIssues = (error: $ZodError) =>
  error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : 'frame'}: ${issue.message}`)
    .join('; ');

export interface FrameRequest<T> extends WebSocketRequest {
  frame: T;
}

/** A client action's handler: the frame is checked and parsed with `schema` before `handle`. */
export function frameHandler<S extends z.ZodMiniType>(
  action: ClientAction,
  schema: S,
  handle: (request: FrameRequest<z.output<S>>) => Promise<RealtimeEvent | undefined>,
) {
  return webSocketHandler(
    async (request) => {
      let known: { action?: string; channelId?: number } = { action };
      try {
        const raw = readFrame(request.event);
        known = { ...knownParts(raw), action };
        const parsed = schema.safeParse(raw);
        if (!parsed.success) throw new FrameError('BAD_REQUEST', describeIssues(parsed.error));
        const reply = await handle({ ...request, frame: parsed.data });
        return reply ? answer(reply) : { statusCode: 200 };
      } catch (error) {
        return errorAnswer(error, request.log, known);
      }
    },
    (error, request) => errorAnswer(error, request.log, { action }),
  );
}

/** $default: any frame no action matched (unknown action, bad JSON, binary, too large). */
export function unmatchedFrameHandler() {
  return webSocketHandler(
    async (request) => {
      const raw = readFrame(request.event);
      const parts = knownParts(raw);
      const action = (raw as { action?: unknown } | null)?.action;
      const message =
        typeof action !== 'string'
          ? 'A frame is a JSON object with an "action"'
          : parts.action === undefined
            ? 'Unknown action'
            : `Unknown action "${parts.action}"`;
      return errorAnswer(new FrameError('BAD_REQUEST', message), request.log, parts);
    },
    (error, request) => errorAnswer(error, request.log, {}),
  );
}
