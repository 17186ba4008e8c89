/**
 * The WebSocket API's contract (docs/api.md, "Real-time"): the frames a client sends, their
 * limits, and the events the server sends. The handlers validate frames with these schemas, and
 * the AsyncAPI document (scripts/asyncapi-document.ts) is generated from them, so the two cannot
 * drift. zod/mini for the same cold-start reason as schema.ts.
 */
import * as z from 'zod/mini';
import { idSchema } from './id-schema';
import type { Message } from './schema';

/** A frame larger than this (UTF-8 bytes) is refused: API Gateway's WebSocket frame limit. */
export const MAX_FRAME_BYTES = 32_768;
/** Channels one connection may subscribe to at once. */
export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 100;
/** At most one typing event per user and channel is forwarded in this interval. */
export const TYPING_INTERVAL_MS = 3_000;
/** A connect ticket is valid this long after it is issued, and for one connection. */
export const TICKET_TTL_SECONDS = 60;
/** API Gateway closes every WebSocket connection after 2 hours; our records expire with it. */
export const MAX_CONNECTION_MS = 2 * 60 * 60 * 1000;

/** The client actions, each routed by API Gateway (`$request.body.action`) to its own function. */
export const clientActions = ['subscribe', 'unsubscribe', 'typing', 'ping'] as const;
export type ClientAction = (typeof clientActions)[number];

const channelFrame = <A extends ClientAction>(action: A) =>
  z.strictObject({ action: z.literal(action), channelId: idSchema });

export const subscribeFrameSchema = channelFrame('subscribe');
export const unsubscribeFrameSchema = channelFrame('unsubscribe');
export const typingFrameSchema = channelFrame('typing');
export const pingFrameSchema = z.strictObject({ action: z.literal('ping') });

/** Each action's frame schema, for the handlers and the AsyncAPI document. */
export const clientFrameSchemas = {
  subscribe: subscribeFrameSchema,
  unsubscribe: unsubscribeFrameSchema,
  typing: typingFrameSchema,
  ping: pingFrameSchema,
} as const satisfies Record<ClientAction, z.ZodMiniType>;

/** `code` of an error event: what went wrong with the frame. */
export const realtimeErrorCodes = [
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'LIMIT',
  'SERVICE_UNAVAILABLE',
  'INTERNAL',
] as const;
export type RealtimeErrorCode = (typeof realtimeErrorCodes)[number];

/** POST /api/realtime/ticket answers this (201). */
export interface RealtimeTicket {
  ticket: string;
  /** ISO date, at most TICKET_TTL_SECONDS ahead. */
  expiresAt: string;
}

/** What the server sends. Message JSON is exactly the HTTP API's (dates as ISO strings). */
export type WireMessage = Omit<Message, 'createdAt'> & { createdAt: string };

export type RealtimeEvent =
  | { type: 'subscribed'; channelId: number }
  | { type: 'unsubscribed'; channelId: number }
  | { type: 'pong' }
  | {
      type: 'error';
      code: RealtimeErrorCode;
      message: string;
      action?: string;
      channelId?: number;
    }
  | { type: 'typing'; channelId: number; userId: number }
  | { type: 'message.created'; channelId: number; message: WireMessage }
  | { type: 'message.updated'; channelId: number; message: WireMessage }
  | { type: 'message.deleted'; channelId: number; messageId: string };

/** The events delivered to a channel's subscribers (the others answer one frame). */
export type ChannelEvent = Extract<
  RealtimeEvent,
  { type: 'typing' | 'message.created' | 'message.updated' | 'message.deleted' | 'unsubscribed' }
>;
