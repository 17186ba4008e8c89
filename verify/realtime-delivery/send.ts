/** One message sent over HTTP and followed to every subscriber, with its fan-out's log line. */
import type { FanOutLine, FanOutLog } from '../../harness/offline-log';
import { call, expectStatus } from './client';
import { arrivals, delivered } from './connections';
import { SPACING_MS, sleep } from './settings';

export interface Send {
  postMs: number;
  /** Arrival minus answer, per subscriber (ms). */
  latencies: number[];
  missing: number;
  fanOut?: FanOutLine;
  /** Subscribers / (last arrival - answer), events/s. */
  clientRate: number;
}

export async function send(
  url: string,
  log: FanOutLog,
  sid: string,
  channelId: number,
  subscribers: number,
  content: string,
): Promise<Send> {
  const from = log.mark();
  const reply = await expectStatus(
    call(url, 'POST', '/api/messages', { channelId, content }, sid),
    201,
    'POST /api/messages',
  );
  const id = String(reply.body.id);
  // A timeout shows as missing events below.
  if (subscribers > 0) await delivered(id, subscribers);
  const fanOut = await log.next(channelId, from);
  const times = arrivals.get(id) ?? [];
  arrivals.delete(id);
  await sleep(SPACING_MS);
  const latencies = times.map((t) => t - reply.answeredAt);
  const last = Math.max(...latencies);
  return {
    postMs: reply.ms,
    latencies,
    missing: subscribers - times.length,
    ...(fanOut ? { fanOut } : {}),
    clientRate: times.length ? (times.length / Math.max(last, 0.001)) * 1000 : Number.NaN,
  };
}

export interface Step {
  subscribers: number;
  sends: Send[];
  /** The same number of sends to the channel nobody subscribes to, alternated (largest step). */
  quiet: Send[];
  openSeconds: number;
}
