/**
 * What the WebSocket API's server sends, as zod schemas of the JSON on the wire, keyed by the
 * event's `type`. They document the events in asyncapi.json (scripts/asyncapi-document.ts) and let
 * tests check real frames against them. Classic zod for the same reason as response-schemas.ts:
 * handlers never import this module (they send the `RealtimeEvent` type of realtime-schema.ts),
 * and the type checks at the end fail typecheck when the two diverge. Objects are strict, so a
 * field the server adds without its schema here fails those checks.
 */
import * as z from 'zod';
import {
  type ChannelEvent,
  type RealtimeEvent,
  type RealtimeTicket,
  realtimeErrorCodes,
} from './realtime-schema';
import { id, messageResponse, type realtimeTicketResponse, snowflake } from './response-schemas';

/**
 * Names and describes the event schemas for asyncapi.json: Message is defined once there (under
 * components.schemas, as in openapi.json), and each event and field carries its description.
 */
export const realtimeEventRegistry = z.registry<{ id?: string; description?: string }>();
realtimeEventRegistry.add(messageResponse, { id: 'Message' });

function described<T extends z.ZodType>(description: string, schema: T): T {
  realtimeEventRegistry.add(schema, { description });
  return schema;
}

const event = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.strictObject({ type: z.literal(type), ...shape });

export const subscribedEvent = described(
  'The answer to subscribe: the connection now receives the channel’s events.',
  event('subscribed', { channelId: id }),
);
export const unsubscribedEvent = described(
  'The answer to unsubscribe. Also sent unasked when the user may no longer read the channel ' +
    '(removed from its workspace). No more events of the channel follow.',
  event('unsubscribed', { channelId: id }),
);
export const pongEvent = described('The answer to ping.', event('pong', {}));
export const errorEvent = described(
  'A frame was refused: unknown action, bad JSON, a binary or oversized frame (BAD_REQUEST), or ' +
    'the rule of its action. The connection stays open.',
  event('error', {
    code: z.enum(realtimeErrorCodes),
    message: described('What went wrong, in English', z.string()),
    action: described('The refused frame’s action, when it could be read', z.string().optional()),
    channelId: described('The refused frame’s channelId, when it could be read', id.optional()),
  }),
);
export const typingEvent = described(
  'Another user is typing in the channel (never sent to the typist’s own connections).',
  event('typing', { channelId: id, userId: id }),
);
export const messageCreatedEvent = described(
  'A message was posted: POST /api/messages answered 201 (an idempotent replay sends nothing new).',
  event('message.created', { channelId: id, message: messageResponse }),
);
export const messageUpdatedEvent = described(
  'A read, grade, pin or unpin changed the message; it is sent whole, as it is now.',
  event('message.updated', { channelId: id, message: messageResponse }),
);
export const messageDeletedEvent = described(
  'A message was deleted: DELETE /api/messages/:id answered 204.',
  event('message.deleted', {
    channelId: id,
    messageId: described('The deleted message’s id (a Snowflake, decimal)', snowflake.clone()),
  }),
);

/** Every server event's schema by its `type`. */
export const realtimeEventSchemas = {
  subscribed: subscribedEvent,
  unsubscribed: unsubscribedEvent,
  pong: pongEvent,
  error: errorEvent,
  typing: typingEvent,
  'message.created': messageCreatedEvent,
  'message.updated': messageUpdatedEvent,
  'message.deleted': messageDeletedEvent,
} as const satisfies Record<RealtimeEvent['type'], z.ZodType>;

/** Any server event. */
export const realtimeEventSchema = z.discriminatedUnion('type', [
  subscribedEvent,
  unsubscribedEvent,
  pongEvent,
  errorEvent,
  typingEvent,
  messageCreatedEvent,
  messageUpdatedEvent,
  messageDeletedEvent,
]);

/** The events every connection subscribed to a channel receives unasked (ChannelEvent). */
export const channelEventTypes = [
  'message.created',
  'message.updated',
  'message.deleted',
  'typing',
  'unsubscribed',
] as const satisfies readonly ChannelEvent['type'][];

// --- The schemas and the handlers' types must describe the same JSON (checked by typecheck). ---

/** T with intersections flattened, all the way down, so equal shapes compare as equal types. */
type Flat<T> = T extends readonly unknown[]
  ? { [I in keyof T]: Flat<T[I]> }
  : T extends object
    ? { [K in keyof T]: Flat<T[K]> }
    : T;

/**
 * true when A and B describe exactly the same JSON: same properties, the same ones optional, same
 * value types (mutual assignability alone would miss an extra optional property).
 */
export type SameShape<A, B> =
  (<T>() => T extends Flat<A> ? 1 : 2) extends <T>() => T extends Flat<B> ? 1 : 2 ? true : false;

type EventSchemaMismatches = {
  [T in RealtimeEvent['type']]: SameShape<
    z.output<(typeof realtimeEventSchemas)[T]>,
    Extract<RealtimeEvent, { type: T }>
  > extends true
    ? never
    : T;
}[RealtimeEvent['type']];

/** Fails typecheck naming the event types whose schema differs from `RealtimeEvent`. */
const eventSchemasMatchTypes: [EventSchemaMismatches] extends [never]
  ? true
  : { mismatched: EventSchemaMismatches } = true;
/** Also as a whole: no event type missing from either side. */
const eventUnionMatchesType: SameShape<z.output<typeof realtimeEventSchema>, RealtimeEvent> = true;
const channelEventsAreAll: SameShape<(typeof channelEventTypes)[number], ChannelEvent['type']> =
  true;
const ticketMatchesType: SameShape<z.output<typeof realtimeTicketResponse>, RealtimeTicket> = true;
export const realtimeTypeChecks = [
  eventSchemasMatchTypes,
  eventUnionMatchesType,
  channelEventsAreAll,
  ticketMatchesType,
] as const;
