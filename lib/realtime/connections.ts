/**
 * WebSocket connections and channel subscriptions in DynamoDB.
 *
 * - connections table: one item per open connection (who, which session, until when, and the set
 *   of channels it subscribed to). The `bySession` index finds a session's connections at logout.
 * - channel-subscriptions table: per channel, one item per subscribed connection (sk `c#<id>`),
 *   which is what a fan-out reads, and the typing marks (sk `t#<userId>`, typing.ts).
 *
 * The connection item's `channels` set is the source of the 100-subscription limit: adding to it is
 * one conditional update, so concurrent subscribes cannot pass the limit. A subscription item can
 * outlive its connection (a subscribe racing a disconnect); it expires with the connection's TTL,
 * and the first send to it that finds the connection gone deletes it.
 */

import { MAX_SUBSCRIPTIONS_PER_CONNECTION } from '../../shared/realtime-schema';
import type { UserRole } from '../../shared/schema';
import { config } from '../config';
import { isConditionFailed, queryPages, withDynamo } from '../db/dynamo';

export interface ConnectionRecord {
  connectionId: string;
  userId: number;
  role: UserRole;
  /** The session it was opened with (its token's hash). */
  sessionId: string;
  connectedAt: number;
  /** Epoch ms: the earlier of API Gateway's connection limit and the session's absolute end. */
  expiresAt: number;
}

interface ConnectionItem extends ConnectionRecord {
  channels?: Set<number>;
  ttl: number;
}

/** A subscribed connection, as a fan-out reads it. */
export interface Subscriber {
  connectionId: string;
  userId: number;
}

export const subscriptionKey = (connectionId: string) => `c#${connectionId}`;
const SUBSCRIPTION_PREFIX = 'c#';
const tables = () => config().realtime;
const ttlOf = (expiresAt: number) => Math.ceil(expiresAt / 1000);

/** Records a connection that $connect accepted. */
export async function openConnection(record: ConnectionRecord): Promise<void> {
  const item: ConnectionItem = { ...record, ttl: ttlOf(record.expiresAt) };
  await withDynamo((dynamo, { PutCommand }) =>
    dynamo.send(new PutCommand({ TableName: tables().connectionsTable, Item: item })),
  );
}

/** The live connection `connectionId`, with the channels it subscribed to; else undefined. */
export async function findConnection(
  connectionId: string,
  now = Date.now(),
): Promise<(ConnectionRecord & { channels: number[] }) | undefined> {
  const { Item } = await withDynamo((dynamo, { GetCommand }) =>
    dynamo.send(
      new GetCommand({
        TableName: tables().connectionsTable,
        Key: { connectionId },
        ConsistentRead: true,
      }),
    ),
  );
  const item = Item as ConnectionItem | undefined;
  if (!item || item.expiresAt <= now) return undefined;
  const { channels, ttl: _ttl, ...record } = item;
  return { ...record, channels: [...(channels ?? [])] };
}

export type SubscribeOutcome = 'subscribed' | 'limit' | 'gone';

/**
 * Subscribes `connection` to `channelId` (again is fine). 'limit' when it already has the maximum
 * of other channels; 'gone' when the connection's record no longer exists.
 */
export async function subscribe(
  connection: ConnectionRecord,
  channelId: number,
): Promise<SubscribeOutcome> {
  try {
    await withDynamo((dynamo, { UpdateCommand }) =>
      dynamo.send(
        new UpdateCommand({
          TableName: tables().connectionsTable,
          Key: { connectionId: connection.connectionId },
          UpdateExpression: 'ADD channels :channel',
          ConditionExpression:
            'attribute_exists(connectionId) AND (attribute_not_exists(channels) OR size(channels) < :max OR contains(channels, :id))',
          ExpressionAttributeValues: {
            ':channel': new Set([channelId]),
            ':max': MAX_SUBSCRIPTIONS_PER_CONNECTION,
            ':id': channelId,
          },
        }),
      ),
    );
  } catch (error) {
    if (!isConditionFailed(error)) throw error;
    return (await findConnection(connection.connectionId)) ? 'limit' : 'gone';
  }
  await withDynamo((dynamo, { PutCommand }) =>
    dynamo.send(
      new PutCommand({
        TableName: tables().subscriptionsTable,
        Item: {
          channelId,
          sk: subscriptionKey(connection.connectionId),
          connectionId: connection.connectionId,
          userId: connection.userId,
          ttl: ttlOf(connection.expiresAt),
        },
      }),
    ),
  );
  return 'subscribed';
}

/** Whether `connectionId` is subscribed to `channelId`. */
export async function isSubscribed(connectionId: string, channelId: number): Promise<boolean> {
  const { Item } = await withDynamo((dynamo, { GetCommand }) =>
    dynamo.send(
      new GetCommand({
        TableName: tables().subscriptionsTable,
        Key: { channelId, sk: subscriptionKey(connectionId) },
        ConsistentRead: true,
      }),
    ),
  );
  return Item !== undefined;
}

/** Ends one subscription: no event of the channel goes to the connection after this returns. */
export async function unsubscribe(connectionId: string, channelId: number): Promise<void> {
  await withDynamo((dynamo, { DeleteCommand }) =>
    dynamo.send(
      new DeleteCommand({
        TableName: tables().subscriptionsTable,
        Key: { channelId, sk: subscriptionKey(connectionId) },
      }),
    ),
  );
  try {
    await withDynamo((dynamo, { UpdateCommand }) =>
      dynamo.send(
        new UpdateCommand({
          TableName: tables().connectionsTable,
          Key: { connectionId },
          UpdateExpression: 'DELETE channels :channel',
          ConditionExpression: 'attribute_exists(connectionId)',
          ExpressionAttributeValues: { ':channel': new Set([channelId]) },
        }),
      ),
    );
  } catch (error) {
    // The connection is gone already: its subscription item was all there was to remove.
    if (!isConditionFailed(error)) throw error;
  }
}

/**
 * Forgets a connection (closed, gone, or its session ended) and every subscription it had.
 * `subscribedTo`: channels known to hold a subscription of it (a fan-out's own channel), removed
 * even when the connection record is gone already, as after a subscribe that raced the disconnect.
 */
export async function forgetConnection(
  connectionId: string,
  subscribedTo: number[] = [],
): Promise<void> {
  const { Attributes } = await withDynamo((dynamo, { DeleteCommand }) =>
    dynamo.send(
      new DeleteCommand({
        TableName: tables().connectionsTable,
        Key: { connectionId },
        ReturnValues: 'ALL_OLD',
      }),
    ),
  );
  const recorded = (Attributes as ConnectionItem | undefined)?.channels ?? [];
  const channels = [...new Set([...recorded, ...subscribedTo])];
  await Promise.all(
    channels.map((channelId) =>
      withDynamo((dynamo, { DeleteCommand }) =>
        dynamo.send(
          new DeleteCommand({
            TableName: tables().subscriptionsTable,
            Key: { channelId, sk: subscriptionKey(connectionId) },
          }),
        ),
      ),
    ),
  );
}

/** The connections opened with session `sessionId`. */
export async function sessionConnectionIds(sessionId: string): Promise<string[]> {
  const ids: string[] = [];
  const pages = queryPages({
    TableName: tables().connectionsTable,
    IndexName: 'bySession',
    KeyConditionExpression: 'sessionId = :s',
    ExpressionAttributeValues: { ':s': sessionId },
  });
  for await (const items of pages) for (const item of items) ids.push(item.connectionId as string);
  return ids;
}

/** Every connection subscribed to `channelId`, page by page (1 MB each, ~10,000 subscribers). */
export async function* channelSubscribers(channelId: number): AsyncGenerator<Subscriber[]> {
  const pages = queryPages({
    TableName: tables().subscriptionsTable,
    KeyConditionExpression: 'channelId = :c AND begins_with(sk, :prefix)',
    ProjectionExpression: 'connectionId, userId',
    // An unsubscribe that has returned must not be read back as a subscriber (twice the read cost).
    ConsistentRead: true,
    ExpressionAttributeValues: { ':c': channelId, ':prefix': SUBSCRIPTION_PREFIX },
  });
  for await (const items of pages) yield items as unknown as Subscriber[];
}
