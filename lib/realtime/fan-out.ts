/**
 * Delivers one channel event to every connection subscribed to the channel.
 *
 * Who may read the channel is decided here, once per event, from the current membership: a
 * subscription of someone no longer allowed is dropped (and told `unsubscribed`) instead of served.
 * Sends run a bounded number at a time (FAN_OUT_CONCURRENCY): API Gateway throttles a burst, and
 * an unbounded Promise.all over 10,000 sockets would hold them all open at once. A connection found
 * gone (410) is forgotten with its subscriptions. Nothing here throws for one connection's sake.
 */
import type { ChannelEvent } from '../../shared/realtime-schema';
import { channelReaders } from '../authz/channels';
import { config } from '../config';
import type { Logger } from '../logger';
import { channelSubscribers, forgetConnection, type Subscriber, unsubscribe } from './connections';
import { postToConnection } from './management-api';
import type { FanOutJob } from './publish';

export interface FanOutReport {
  /** Subscribed connections found. */
  subscribers: number;
  sent: number;
  /** Connections that were gone (forgotten now). */
  gone: number;
  /** Sends that failed otherwise (logged). */
  failed: number;
  /** Subscriptions of users no longer allowed to read the channel (dropped now). */
  revoked: number;
}

/** Runs `work` over `items`, at most `limit` at a time. */
async function forEachBounded<T>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/** Delivers `job.event` to the channel's subscribers. */
export async function fanOut(job: FanOutJob, log: Logger): Promise<FanOutReport> {
  const report: FanOutReport = { subscribers: 0, sent: 0, gone: 0, failed: 0, revoked: 0 };
  const mayRead = await channelReaders(job.channelId);
  // A typist who may no longer read the channel (removed from its workspace) is not heard either.
  if (job.event.type === 'typing' && !mayRead(job.event.userId)) return report;
  const payload = JSON.stringify(job.event);
  const concurrency = config().realtime.fanOutConcurrency;

  const send = async (connectionId: string, text: string) => {
    try {
      if ((await postToConnection(connectionId, text)) === 'sent') {
        report.sent += 1;
        return;
      }
      report.gone += 1;
      await forgetConnection(connectionId, [job.channelId]);
    } catch (error) {
      report.failed += 1;
      log.warn('real-time send failed', { connectionId, event: job.event.type, error });
    }
  };
  const revoke = async ({ connectionId }: Subscriber) => {
    report.revoked += 1;
    try {
      await unsubscribe(connectionId, job.channelId);
      const notice: ChannelEvent = { type: 'unsubscribed', channelId: job.channelId };
      await postToConnection(connectionId, JSON.stringify(notice));
    } catch (error) {
      log.warn('could not drop a revoked subscription', { connectionId, error });
    }
  };

  for await (const page of channelSubscribers(job.channelId)) {
    report.subscribers += page.length;
    const allowed = page.filter((s) => mayRead(s.userId));
    const revoked = page.filter((s) => !mayRead(s.userId));
    const targets = allowed.filter((s) => s.userId !== job.exceptUserId);
    await forEachBounded(targets, concurrency, (s) => send(s.connectionId, payload));
    await forEachBounded(revoked, concurrency, revoke);
  }
  return report;
}
