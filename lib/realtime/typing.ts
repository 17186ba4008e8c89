/**
 * The typing rate limit: one typing event per user and channel every TYPING_INTERVAL_MS, counted
 * from the last one forwarded, at the time the frame arrived. One conditional write decides, so two
 * frames arriving together on two connections of one user forward one event.
 */
import { TYPING_INTERVAL_MS } from '../../shared/realtime-schema';
import { config } from '../config';
import { isConditionFailed, withDynamo } from '../db/dynamo';

/** True when a typing event of `userId` in `channelId` may be forwarded now (and records it). */
export async function claimTypingSlot(
  channelId: number,
  userId: number,
  now = Date.now(),
): Promise<boolean> {
  try {
    await withDynamo((dynamo, { PutCommand }) =>
      dynamo.send(
        new PutCommand({
          TableName: config().realtime.subscriptionsTable,
          Item: {
            channelId,
            sk: `t#${userId}`,
            forwardedAt: now,
            ttl: Math.ceil((now + TYPING_INTERVAL_MS) / 1000) + 60,
          },
          ConditionExpression: 'attribute_not_exists(sk) OR forwardedAt <= :due',
          ExpressionAttributeValues: { ':due': now - TYPING_INTERVAL_MS },
        }),
      ),
    );
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}
