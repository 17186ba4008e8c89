/**
 * asyncapi.json is generated from the WebSocket API's zod schemas, documents every client action
 * and every server event, is a valid AsyncAPI 3.0 document, and is what GET /api/asyncapi.json
 * serves.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { resetConfig } from '../../lib/config';
import {
  buildAsyncApiDocument,
  clientFrameExamples,
  eventExamples,
} from '../../scripts/asyncapi-document';
import { projectRoot } from '../../scripts/stack/paths';
import {
  channelEventTypes,
  realtimeEventSchema,
  realtimeEventSchemas,
  type SameShape,
} from '../../shared/realtime-events';
import {
  type ClientAction,
  clientActions,
  clientFrameSchemas,
  MAX_FRAME_BYTES,
  MAX_SUBSCRIPTIONS_PER_CONNECTION,
  TICKET_TTL_SECONDS,
} from '../../shared/realtime-schema';
import { realtimeTicketResponse, successResponses } from '../../shared/response-schemas';
import { configEnvFor } from '../helpers/config-env';
import { invoke } from '../helpers/lambda';

type Ref = { $ref: string };
type Message = {
  name: string;
  payload: Record<string, unknown>;
  examples: { name: string; payload: unknown }[];
};
type Operation = {
  action: 'send' | 'receive';
  channel: Ref;
  messages: Ref[];
  reply?: { channel: Ref; messages: Ref[] };
};
type Document = {
  asyncapi: string;
  info: { version: string; description: string };
  servers: Record<string, { host: string; protocol: string; security: Ref[] }>;
  channels: Record<string, { address: string; messages: Record<string, Ref>; bindings: unknown }>;
  operations: Record<string, Operation>;
  components: {
    schemas: Record<string, unknown>;
    messages: Record<string, Message>;
    securitySchemes: Record<string, { type: string; name: string; in: string }>;
  };
};

const committedText = readFileSync(join(projectRoot, 'asyncapi.json'), 'utf8');
const committed = JSON.parse(committedText) as Document;

/** What a message carries: a client frame's action or an event's type (its payload's const). */
function carries(message: Message): string {
  const properties = message.payload.properties as Record<string, { const?: string }>;
  // An event's `type` first: the error event also has an `action` (not a const).
  const carried = properties.type?.const ?? properties.action?.const;
  if (!carried) throw new Error(`${message.name} has neither an action nor a type`);
  return carried;
}

/** The component message a `#/channels/<c>/messages/<key>` reference leads to. */
function resolveMessage(ref: Ref): Message {
  const match = /^#\/channels\/([^/]+)\/messages\/([^/]+)$/.exec(ref.$ref);
  if (!match) throw new Error(`not a channel message reference: ${ref.$ref}`);
  const inChannel = committed.channels[match[1] as string]?.messages[match[2] as string];
  const key = inChannel?.$ref.replace('#/components/messages/', '') ?? '';
  const message = committed.components.messages[key];
  if (!message) throw new Error(`${ref.$ref} leads to no message`);
  return message;
}

/** The messages of client frames (by action) or of server events (by type). */
const messagesCarrying = (side: 'action' | 'type') =>
  new Map(
    Object.values(committed.components.messages)
      .filter((m) => 'type' in (m.payload.properties as object) === (side === 'type'))
      .map((m) => [carries(m), m]),
  );

describe('asyncapi.json', () => {
  it('is up to date with the zod schemas (run `npm run asyncapi` when this fails)', () => {
    expect(committed).toEqual(buildAsyncApiDocument());
  });

  it('has a send operation for every client action, answered as the contract says', () => {
    const replies: Record<ClientAction, string[]> = {
      subscribe: ['subscribed', 'error'],
      unsubscribe: ['unsubscribed'],
      typing: ['error'],
      ping: ['pong'],
    };
    const sent = Object.values(committed.operations)
      .filter((operation) => operation.action === 'send')
      .flatMap((operation) => operation.messages.map((ref) => carries(resolveMessage(ref))))
      .sort();
    expect(sent).toEqual([...clientActions].sort());
    for (const action of clientActions) {
      const operation = committed.operations[action];
      expect(operation?.action, action).toBe('send');
      expect(operation?.messages.map((ref) => carries(resolveMessage(ref)))).toEqual([action]);
      expect(operation?.reply?.messages.map((ref) => carries(resolveMessage(ref)))).toEqual(
        replies[action],
      );
    }
  });

  it('has a message for every event type, and a receive operation for every channel event', () => {
    expect([...messagesCarrying('type').keys()].sort()).toEqual(
      Object.keys(realtimeEventSchemas).sort(),
    );
    expect([...messagesCarrying('action').keys()].sort()).toEqual([...clientActions].sort());
    const received = Object.values(committed.operations)
      .filter((operation) => operation.action === 'receive')
      .flatMap((operation) => operation.messages.map((ref) => carries(resolveMessage(ref))))
      .sort();
    expect(received).toEqual([...channelEventTypes].sort());
  });

  it('defines Message once and refers to it from the message events', () => {
    const names = messagesCarrying('type');
    expect(Object.keys(committed.components.schemas)).toEqual(['Message']);
    for (const type of ['message.created', 'message.updated']) {
      const properties = names.get(type)?.payload.properties as Record<string, unknown>;
      expect(properties.message, type).toEqual({ $ref: '#/components/schemas/Message' });
    }
    expect(committed.components.schemas.Message).toMatchObject({ additionalProperties: false });
  });

  it('documents connecting: cookie or ticket, servers, limits', () => {
    expect(committed.asyncapi).toBe('3.0.0');
    const { securitySchemes } = committed.components;
    expect(securitySchemes.sessionCookie).toMatchObject({
      type: 'httpApiKey',
      in: 'cookie',
      name: 'sid',
    });
    expect(securitySchemes.ticket).toMatchObject({
      type: 'httpApiKey',
      in: 'query',
      name: 'ticket',
    });
    expect(committed.channels.chat?.address).toBe('/');
    expect(committed.channels.chat?.bindings).toMatchObject({
      ws: { query: { properties: { ticket: { type: 'string' } } } },
    });
    expect(committed.servers.local).toMatchObject({ host: 'localhost:3001', protocol: 'ws' });
    expect(committed.servers.production?.protocol).toBe('wss');
    const version = (
      JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string }
    ).version;
    expect(committed.info.version).toBe(version);
    expect(committed.info.description).toContain(`${MAX_FRAME_BYTES.toLocaleString('en')} bytes`);
    expect(committed.info.description).toContain(`${TICKET_TTL_SECONDS} s ahead`);
    const subscribe = committed.operations.subscribe as unknown as { description: string };
    expect(subscribe.description).toContain(`${MAX_SUBSCRIPTIONS_PER_CONNECTION} channels`);
  });

  it('is valid for the official AsyncAPI parser: no errors, no warnings', async () => {
    const { document, diagnostics } = await new Parser().parse(committedText);
    // Kept, below warning level: `asyncapi-latest-version` (information) recommends 3.1.0. The
    // document stays on 3.0.0, the version its readers' tools support most widely; 3.1.0 adds
    // nothing it uses.
    const problems = diagnostics
      .filter((d) => d.severity <= DiagnosticSeverity.Warning)
      .map((d) => `${d.code} at ${d.path.join('.')}: ${d.message}`);
    expect(problems).toEqual([]);
    expect(document?.operations().length).toBe(Object.keys(committed.operations).length);
    expect(document?.allMessages().length).toBe(
      clientActions.length + Object.keys(realtimeEventSchemas).length,
    );
  }, 60_000);
});

describe('asyncapi.json examples', () => {
  it('gives one example per frame, each accepted by the handlers’ frame schema', () => {
    const names = messagesCarrying('action');
    for (const action of clientActions) {
      const examples = names.get(action)?.examples ?? [];
      expect(examples.map((e) => e.payload)).toEqual([clientFrameExamples[action]]);
      for (const example of examples) {
        expect(clientFrameSchemas[action].safeParse(example.payload).success, action).toBe(true);
      }
    }
  });

  it('gives one example per event, each accepted by its event schema and no other', () => {
    const names = messagesCarrying('type');
    for (const [type, schema] of Object.entries(realtimeEventSchemas)) {
      const examples = names.get(type)?.examples ?? [];
      expect(examples.map((e) => e.payload)).toEqual([
        eventExamples[type as keyof typeof eventExamples],
      ]);
      for (const example of examples) {
        expect(schema.safeParse(example.payload).success, type).toBe(true);
        expect(realtimeEventSchema.parse(example.payload)).toEqual(example.payload);
      }
    }
  });

  it('refuses frames and events the contract refuses (strict, bounded)', () => {
    expect(clientFrameSchemas.subscribe.safeParse({ action: 'subscribe' }).success).toBe(false);
    expect(
      clientFrameSchemas.ping.safeParse({ action: 'ping', channelId: 1 }).success,
      'strict frames',
    ).toBe(false);
    expect(realtimeEventSchemas.pong.safeParse({ type: 'pong', extra: 1 }).success).toBe(false);
    expect(
      realtimeEventSchemas.error.safeParse({ type: 'error', code: 'OOPS', message: 'x' }).success,
    ).toBe(false);
    expect(realtimeEventSchema.safeParse({ type: 'presence', channelId: 1 }).success).toBe(false);
    const created = eventExamples['message.created'] as { message: object };
    expect(
      realtimeEventSchemas['message.created'].safeParse({
        ...created,
        message: { ...created.message, passwordHash: 'x' },
      }).success,
      'a field the Message DTO does not have',
    ).toBe(false);
  });

  it('SameShape, the type check of the event schemas, tells apart what it must', () => {
    // Checked by typecheck: were SameShape wrong, these assignments would not compile.
    const extraOptional: SameShape<{ type: 'pong'; n?: number }, { type: 'pong' }> = false;
    const optionalVsRequired: SameShape<{ a?: string }, { a: string }> = false;
    const flattened: SameShape<{ a: string } & { b?: number[] }, { a: string; b?: number[] }> =
      true;
    expect([extraOptional, optionalVsRequired, flattened]).toEqual([false, false, true]);
  });
});

describe('the HTTP routes of the WebSocket API', () => {
  it('documents POST /api/realtime/ticket: 201, strict {ticket, expiresAt}', () => {
    expect(successResponses['create-realtime-ticket']?.status).toBe(201);
    const ticket = { ticket: 'b64url-random', expiresAt: '2026-03-02T09:16:00.000Z' };
    expect(realtimeTicketResponse.safeParse(ticket).success).toBe(true);
    expect(realtimeTicketResponse.safeParse({ ...ticket, sessionId: 's' }).success).toBe(false);
    expect(realtimeTicketResponse.safeParse({ ...ticket, expiresAt: 60 }).success).toBe(false);
  });

  describe('GET /api/asyncapi.json', () => {
    type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;
    let handler: Handler;
    beforeAll(async () => {
      // The stack reads its configuration on the first request; any well-formed values do here.
      Object.assign(process.env, configEnvFor('asyncapi'));
      resetConfig();
      handler = (await import('../../functions/service/get-asyncapi')).handler as Handler;
    });

    it('serves asyncapi.json without a session, as documented', async () => {
      const response = await invoke(handler, { path: '/api/asyncapi.json' });
      expect(response.status).toBe(200);
      expect(response.body).toEqual(committed);
      expect(successResponses['get-asyncapi']?.schema?.safeParse(response.body).success).toBe(true);
    });
  });
});
