/**
 * The AsyncAPI 3.0 document of the WebSocket API (real-time chat), built from the zod schemas the
 * handlers validate client frames with (shared/realtime-schema.ts) and the schemas of the events
 * the server sends (shared/realtime-events.ts): the document cannot drift from the code.
 * `npm run asyncapi` writes it to asyncapi.json, which GET /api/asyncapi.json serves; a unit test
 * fails when the two differ. Operations are described from the client's side: it sends the frames
 * and receives the events.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import type { $ZodType } from 'zod/v4/core';
import {
  channelEventTypes,
  realtimeEventRegistry,
  realtimeEventSchemas,
} from '../shared/realtime-events';
import {
  type ClientAction,
  clientActions,
  clientFrameSchemas,
  MAX_CONNECTION_MS,
  MAX_FRAME_BYTES,
  MAX_SUBSCRIPTIONS_PER_CONNECTION,
  type RealtimeEvent,
  TICKET_TTL_SECONDS,
  TYPING_INTERVAL_MS,
} from '../shared/realtime-schema';
import { projectRoot } from './stack/paths';

type EventType = RealtimeEvent['type'];

/** serverless-offline's WebSocket port (`npm run dev`). */
const LOCAL_HOST = 'localhost:3001';
/** The server closes every connection of a session within this time after its logout. */
const LOGOUT_CLOSE_SECONDS = 5;

const CHANNEL = 'chat';
const channelRef = { $ref: `#/channels/${CHANNEL}` };

/** Keys of the messages in the channel and in components.messages. */
const frameKey = (action: ClientAction) => `${action}Frame`;
const camelCase = (type: EventType) =>
  type.replace(/\.([a-z])/g, (_, letter: string) => letter.toUpperCase());
const eventKey = (type: EventType) => `${camelCase(type)}Event`;
/** The receive operation of a channel event: onMessageCreated, onTyping... */
const receiveKey = (type: EventType) =>
  `on${camelCase(type).replace(/^./, (first) => first.toUpperCase())}`;
const messageRef = (key: string) => ({ $ref: `#/channels/${CHANNEL}/messages/${key}` });

/** What each client action does and which events answer it (the spec of the send operations). */
const clientActionDocs: Record<
  ClientAction,
  { title: string; description: string; replies: EventType[] }
> = {
  subscribe: {
    title: 'Subscribe to a channel',
    description:
      'Receive the channel’s events from now on. Allowed when the user may read the channel’s ' +
      'history (GET /api/channels/{id}/messages): otherwise an error with code NOT_FOUND, ' +
      'FORBIDDEN or BAD_REQUEST. At most ' +
      `${MAX_SUBSCRIPTIONS_PER_CONNECTION} channels per connection (error code LIMIT). ` +
      'Subscribing twice is harmless.',
    replies: ['subscribed', 'error'],
  },
  unsubscribe: {
    title: 'Unsubscribe from a channel',
    description: 'No more events of the channel reach this connection.',
    replies: ['unsubscribed'],
  },
  typing: {
    title: 'Say the user is typing',
    description:
      'Only on a channel this connection subscribed to (else an error). The connections of ' +
      'other users subscribed to it receive a typing event; none of the typist’s own do. At ' +
      `most one is forwarded per user and channel every ${TYPING_INTERVAL_MS / 1000} s, counted ` +
      'from the last one forwarded; more are dropped silently. No answer on success.',
    replies: ['error'],
  },
  ping: {
    title: 'Ping',
    description: 'Answered by pong (a keep-alive, and a check that the connection works).',
    replies: ['pong'],
  },
};

/** When the server sends each channel event (the spec of the receive operations). */
const channelEventDocs: Record<(typeof channelEventTypes)[number], string> = {
  'message.created': 'Sent when POST /api/messages answered 201.',
  'message.updated': 'Sent when a read, grade, pin or unpin changed a message.',
  'message.deleted': 'Sent when DELETE /api/messages/{id} answered 204.',
  typing: 'Sent when another user typed in the channel (at most one per user and interval).',
  unsubscribed:
    'Sent when the user may no longer read the channel (removed from its workspace), and in ' +
    'answer to unsubscribe.',
};

const exampleMessage = {
  id: '7263945812099072',
  channelId: 12,
  authorId: 3,
  content: 'Homework is due on Friday',
  type: 'text',
  fileUrl: null,
  isPinned: false,
  isHomework: false,
  gradingStatus: null,
  readBy: [3],
  createdAt: '2026-03-02T09:15:00.000Z',
};

/** One example per frame; the unit test parses each with its schema. */
export const clientFrameExamples: Record<ClientAction, Record<string, unknown>> = {
  subscribe: { action: 'subscribe', channelId: 12 },
  unsubscribe: { action: 'unsubscribe', channelId: 12 },
  typing: { action: 'typing', channelId: 12 },
  ping: { action: 'ping' },
};

/** One example per event; the unit test parses each with its schema. */
export const eventExamples: Record<EventType, Record<string, unknown>> = {
  subscribed: { type: 'subscribed', channelId: 12 },
  unsubscribed: { type: 'unsubscribed', channelId: 12 },
  pong: { type: 'pong' },
  error: {
    type: 'error',
    action: 'subscribe',
    channelId: 12,
    code: 'FORBIDDEN',
    message: 'Not a member of this channel',
  },
  typing: { type: 'typing', channelId: 12, userId: 5 },
  'message.created': { type: 'message.created', channelId: 12, message: exampleMessage },
  'message.updated': {
    type: 'message.updated',
    channelId: 12,
    message: { ...exampleMessage, isPinned: true, readBy: [3, 5] },
  },
  'message.deleted': { type: 'message.deleted', channelId: 12, messageId: '7263945812099072' },
};

/** Where asyncapi.json defines the named schemas (Message). */
const COMPONENT_SCHEMAS = '#/components/schemas/';

/**
 * A JSON Schema (draft-07, the base of AsyncAPI's schema format) of a zod schema, with the named
 * ones it uses (realtimeEventRegistry) collected into `components` and referenced from there.
 */
function payloadSchema(
  schema: $ZodType,
  io: 'input' | 'output',
  components: Record<string, unknown>,
) {
  const converted = z.toJSONSchema(schema, {
    io,
    target: 'draft-07',
    metadata: realtimeEventRegistry,
  });
  const text = JSON.stringify(converted).replaceAll('"#/definitions/', `"${COMPONENT_SCHEMAS}`);
  const {
    $schema: _drop,
    definitions,
    ...rest
  } = JSON.parse(text) as Record<string, Record<string, unknown>>;
  for (const [name, definition] of Object.entries(definitions ?? {})) {
    if (
      components[name] !== undefined &&
      JSON.stringify(components[name]) !== JSON.stringify(definition)
    )
      throw new Error(`two different schemas are named ${name}`);
    components[name] = definition;
  }
  return rest;
}

const description = (schema: $ZodType) => realtimeEventRegistry.get(schema)?.description;

function infoDescription(): string {
  return [
    'The real-time chat: events of the channels a connection subscribed to, pushed over a ' +
      'WebSocket (API Gateway WebSocket API). Generated from the zod schemas the handlers use ' +
      '(scripts/asyncapi-document.ts). Operations are described from the client’s side.',
    '',
    '**Connecting.** The upgrade request must carry either the `sid` session cookie (a browser ' +
      'on the same site sends it) or `?ticket=<t>` from `POST /api/realtime/ticket` (needs the ' +
      'session; answers 201 `{ticket, expiresAt}`, expiresAt an ISO date at most ' +
      `${TICKET_TTL_SECONDS} s ahead). A ticket is random, single use and bound to the session; ` +
      'logout voids the session’s unused tickets. Without either, or with a used, expired or ' +
      'forged ticket (even if a valid cookie comes with it), the handshake is refused with 401 ' +
      `and no connection is kept. API Gateway closes a connection after ${MAX_CONNECTION_MS / 3_600_000} hours.`,
    '',
    '**Frames.** The client sends JSON text frames `{"action": …}`. An unknown action, bad ' +
      `JSON, a binary frame or a frame over ${MAX_FRAME_BYTES.toLocaleString('en')} bytes is ` +
      'answered with an error event (code BAD_REQUEST, plus `action` and `channelId` when ' +
      'known), and the connection stays open.',
    '',
    '**Delivery.** Channel events go to every connection subscribed to the channel, the actor’s ' +
      'own too (except typing). At least once per connection, best effort: a client orders ' +
      'messages by id and may see a duplicate. A client that reconnects catches up with ' +
      '`GET /api/channels/{id}/messages?after=<last id>`. A member removed from a workspace ' +
      'receives nothing more from its channels (possibly an unsubscribed event for them). ' +
      'After logout every connection of that session receives nothing more and is closed by ' +
      `the server within ${LOGOUT_CLOSE_SECONDS} s.`,
  ].join('\n');
}

/** Builds the document from the frame and event schemas. */
export function buildAsyncApiDocument(): Record<string, unknown> {
  const version = (
    JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string }
  ).version;
  const schemas: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};

  for (const action of clientActions) {
    const docs = clientActionDocs[action];
    messages[frameKey(action)] = {
      name: frameKey(action),
      title: `${action} frame`,
      summary: docs.title,
      payload: payloadSchema(clientFrameSchemas[action], 'input', schemas),
      examples: [{ name: action, payload: clientFrameExamples[action] }],
    };
  }
  for (const [type, schema] of Object.entries(realtimeEventSchemas) as [EventType, $ZodType][]) {
    messages[eventKey(type)] = {
      name: eventKey(type),
      title: `${type} event`,
      summary: description(schema),
      payload: payloadSchema(schema, 'output', schemas),
      examples: [{ name: type, payload: eventExamples[type] }],
    };
  }

  const operations: Record<string, unknown> = {};
  for (const action of clientActions) {
    const docs = clientActionDocs[action];
    operations[action] = {
      action: 'send',
      channel: channelRef,
      title: docs.title,
      description: docs.description,
      messages: [messageRef(frameKey(action))],
      reply: {
        channel: channelRef,
        messages: docs.replies.map((type) => messageRef(eventKey(type))),
      },
    };
  }
  for (const type of channelEventTypes) {
    operations[receiveKey(type)] = {
      action: 'receive',
      channel: channelRef,
      title: `Receive ${type}`,
      description: channelEventDocs[type],
      messages: [messageRef(eventKey(type))],
    };
  }

  const security = [
    { $ref: '#/components/securitySchemes/sessionCookie' },
    { $ref: '#/components/securitySchemes/ticket' },
  ];
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'PersonalLearningPro real-time API',
      version,
      description: infoDescription(),
    },
    defaultContentType: 'application/json',
    servers: {
      local: {
        host: LOCAL_HOST,
        protocol: 'ws',
        description: 'serverless-offline (`npm run dev`)',
        security,
      },
      production: {
        host: '{apiId}.execute-api.{region}.amazonaws.com',
        pathname: '/{stage}',
        protocol: 'wss',
        description: 'The deployed WebSocket API (its URL is an output of `npm run deploy`)',
        variables: {
          apiId: { description: 'The WebSocket API’s id, assigned by API Gateway' },
          region: { description: 'The AWS region deployed to', default: 'us-east-1' },
          stage: { description: 'The stage deployed to', default: 'dev' },
        },
        security,
      },
    },
    channels: {
      [CHANNEL]: {
        address: '/',
        title: 'The connection',
        description:
          'One WebSocket connection: the client sends frames, the server answers them and ' +
          'pushes the events of the subscribed channels.',
        messages: Object.fromEntries(
          Object.keys(messages).map((key) => [key, { $ref: `#/components/messages/${key}` }]),
        ),
        bindings: {
          ws: {
            method: 'GET',
            query: {
              type: 'object',
              properties: {
                ticket: {
                  type: 'string',
                  description:
                    'A ticket from POST /api/realtime/ticket, for clients that cannot send the ' +
                    'session cookie (single use, valid ' +
                    `${TICKET_TTL_SECONDS} s)`,
                },
              },
            },
            bindingVersion: '0.1.0',
          },
        },
      },
    },
    operations,
    components: {
      schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b))),
      messages,
      securitySchemes: {
        sessionCookie: {
          type: 'httpApiKey',
          name: 'sid',
          in: 'cookie',
          description:
            'The session cookie (set by login or register), sent with the upgrade request',
        },
        ticket: {
          type: 'httpApiKey',
          name: 'ticket',
          in: 'query',
          description:
            'A single-use ticket from POST /api/realtime/ticket (a used, expired or forged one ' +
            'is refused with 401 even if a valid cookie comes with it)',
        },
      },
    },
  };
}

/** The document as committed: stable formatting, so a diff shows real changes only. */
export function renderAsyncApiDocument(): string {
  return `${JSON.stringify(buildAsyncApiDocument(), null, 2)}\n`;
}
