/**
 * How an event leaves the request that caused it: an asynchronous invocation of the fan-out
 * function (functions/realtime/fan-out.ts), which Lambda queues and runs apart. The request waits
 * only for the queueing (one call, independent of how many connections will receive the event), and
 * nothing here can fail it: a delivery that could not even be queued is logged, and clients catch
 * up from history (`after=`) when they reconnect. Best effort by contract.
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { ChannelEvent, WireMessage } from '../../shared/realtime-schema';
import type { Message } from '../../shared/schema';
import { config } from '../config';
import { localCredentials } from '../db/dynamo';
import type { Logger } from '../logger';

/** What the fan-out function receives. */
export interface FanOutJob {
  channelId: number;
  event: ChannelEvent;
  /** None of this user's connections get the event (typing). */
  exceptUserId?: number;
}

/** How long a request waits to hand an event over before it gives up on delivering it. */
const QUEUE_TIMEOUT_MS = 1_500;

let lambda: Promise<[LambdaClient, typeof import('@aws-sdk/client-lambda')]> | undefined;

function lambdaClient() {
  lambda ??= (async () => {
    const sdk = await import('@aws-sdk/client-lambda');
    const { lambdaEndpoint } = config().realtime;
    const client = new sdk.LambdaClient({
      region: config().dynamo.region,
      maxAttempts: 2,
      requestHandler: { connectionTimeout: 500, requestTimeout: QUEUE_TIMEOUT_MS },
      ...(lambdaEndpoint ? { endpoint: lambdaEndpoint, credentials: localCredentials() } : {}),
    });
    return [client, sdk] as [LambdaClient, typeof sdk];
  })();
  lambda.catch(() => {
    lambda = undefined;
  });
  return lambda;
}

/** The Message JSON of the HTTP API (dates as ISO strings), for an event. */
export function wireMessage(message: Message): WireMessage {
  return JSON.parse(JSON.stringify(message)) as WireMessage;
}

/** Hands `job` to the fan-out function. Never throws: delivery is best effort. */
export async function publish(job: FanOutJob, log: Logger): Promise<void> {
  const started = performance.now();
  try {
    const [client, { InvokeCommand }] = await lambdaClient();
    const { StatusCode } = await client.send(
      new InvokeCommand({
        FunctionName: config().realtime.fanOutFunction,
        InvocationType: 'Event',
        Payload: Buffer.from(JSON.stringify(job)),
      }),
      { abortSignal: AbortSignal.timeout(QUEUE_TIMEOUT_MS) },
    );
    if (StatusCode !== 202) throw new Error(`fan-out invocation answered ${StatusCode}`);
  } catch (error) {
    log.warn('real-time event not delivered: the fan-out could not be queued', {
      event: job.event.type,
      channelId: job.channelId,
      durationMs: Math.round(performance.now() - started),
      error,
    });
  }
}

/** True when what a subscriber sees of a message differs between `before` and `after`. */
function visiblyChanged(before: Message, after: Message): boolean {
  const readers = (m: Message) => [...m.readBy].sort((a, b) => a - b).join(',');
  return (
    before.isPinned !== after.isPinned ||
    before.gradingStatus !== after.gradingStatus ||
    readers(before) !== readers(after)
  );
}

/** Publishes message.updated when a read, grade, pin or unpin changed the message. */
export async function publishIfUpdated(
  before: Message,
  after: Message | undefined,
  log: Logger,
): Promise<void> {
  if (!after || !visiblyChanged(before, after)) return;
  const event: ChannelEvent = {
    type: 'message.updated',
    channelId: after.channelId,
    message: wireMessage(after),
  };
  await publish({ channelId: after.channelId, event }, log);
}
