/**
 * The e2e server's real-time tables, read and written from the test process: to see what the
 * server keeps of connections (none for a refused upgrade, none left after a failed send) and to
 * plant a subscriber whose socket is gone, which a real client cannot leave behind on purpose.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { hashToken } from '../../lib/sessions/session-store';
import type { Client } from './http-client';

let documents: DynamoDBDocumentClient | undefined;

function dynamo(): DynamoDBDocumentClient {
  const endpoint = inject('offlineEnv').DYNAMODB_ENDPOINT;
  if (!endpoint) throw new Error('these tests read the local DynamoDB (dynalite)');
  documents ??= DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint,
      region: process.env.AWS_REGION ?? 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  return documents;
}

/** The name of the e2e server's table of `envVar` (its stores are its own: see tests/setup). */
function tableOf(envVar: string): string {
  const name = inject('offlineEnv')[envVar];
  if (!name) throw new Error(`the e2e server has no table for ${envVar}`);
  return name;
}

const connectionsTable = () => tableOf('CONNECTIONS_TABLE');
const subscriptionsTable = () => tableOf('CHANNEL_SUBSCRIPTIONS_TABLE');

/** The ids of the connection records the server keeps for `client`'s current session. */
export async function connectionsOfSession(client: Client): Promise<string[]> {
  const sid = client.jar.get('sid');
  if (!sid) throw new Error('the client has no session');
  const { Items } = await dynamo().send(
    new QueryCommand({
      TableName: connectionsTable(),
      IndexName: 'bySession',
      KeyConditionExpression: 'sessionId = :s',
      ExpressionAttributeValues: { ':s': hashToken(sid) },
    }),
  );
  return (Items ?? []).map((item) => item.connectionId as string);
}

/** Whether a subscription of `connectionId` to `channelId` is recorded. */
export async function isSubscriptionRecorded(
  channelId: number,
  connectionId: string,
): Promise<boolean> {
  const { Item } = await dynamo().send(
    new GetCommand({
      TableName: subscriptionsTable(),
      Key: { channelId, sk: `c#${connectionId}` },
      ConsistentRead: true,
    }),
  );
  return Item !== undefined;
}

/** Whether a connection record of `connectionId` exists. */
export async function isConnectionRecorded(connectionId: string): Promise<boolean> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: connectionsTable(), Key: { connectionId }, ConsistentRead: true }),
  );
  return Item !== undefined;
}

/**
 * Records a subscriber of `channelId` (user `userId`) whose socket does not exist, as a connection
 * that vanished before its $disconnect ran leaves behind. `withConnection: false` leaves only the
 * subscription, as a subscribe that raced the disconnect does. Returns its connection id.
 */
export async function plantVanishedSubscriber(
  channelId: number,
  userId: number,
  { withConnection }: { withConnection: boolean },
): Promise<string> {
  const connectionId = `vanished-${randomUUID()}`;
  const expiresAt = Date.now() + 10 * 60_000;
  const ttl = Math.ceil(expiresAt / 1000);
  if (withConnection) {
    await dynamo().send(
      new PutCommand({
        TableName: connectionsTable(),
        Item: {
          connectionId,
          userId,
          role: 'student',
          sessionId: `vanished-session-${connectionId}`,
          connectedAt: Date.now(),
          expiresAt,
          channels: new Set([channelId]),
          ttl,
        },
      }),
    );
  }
  await dynamo().send(
    new PutCommand({
      TableName: subscriptionsTable(),
      Item: { channelId, sk: `c#${connectionId}`, connectionId, userId, ttl },
    }),
  );
  return connectionId;
}

/** Removes what plantVanishedSubscriber wrote (when the server did not). */
export async function removePlanted(channelId: number, connectionId: string): Promise<void> {
  await dynamo().send(
    new DeleteCommand({
      TableName: subscriptionsTable(),
      Key: { channelId, sk: `c#${connectionId}` },
    }),
  );
  await dynamo().send(new DeleteCommand({ TableName: connectionsTable(), Key: { connectionId } }));
}

/** Polls `check` until it holds, at most `timeoutMs`; false when it never did. */
export async function eventually(
  check: () => Promise<boolean>,
  timeoutMs = 15_000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return check();
}
