/**
 * The steady load of the faults item: LOOPS[route] loops per route, each one request at a time at
 * PACE_MS, recording every request (a sample) and every acknowledged message; and the watchers
 * that run beside it (frozen load generator, a route's recovery after a restart).
 */
import type { Reply } from '../../harness/http-client';
import type { EngineName } from '../../scripts/stack/settings';
import { call, login, sessionCookie } from './client';
import type { Fixture, Member } from './fixture';
import {
  type Acknowledged,
  LOOPS,
  NEEDS,
  OK_STATUS,
  PACE_MS,
  RECOVERY_LIMIT_MS,
  type RouteName,
  type Sample,
  type Stall,
  sleep,
} from './scenario';

/** What the load has recorded so far. */
interface LoadRecord {
  samples: Sample[];
  acknowledged: Acknowledged[];
  /** Sends that did not get a 201: they may or may not have been stored (not a loss either way). */
  unacknowledged: { channelId: number; content: string }[];
  relogins: number;
}

/** The request of one loop's turn at `route`, as `member` (if the route acts as one). */
function send(base: string, fixture: Fixture, route: RouteName, member: Member | undefined) {
  return (channelId: number, sent: { channelId: number; content: string } | undefined) => {
    const cookie = member?.cookie;
    if (route === 'send') return call(base, 'POST', '/api/messages', sent, cookie);
    if (route === 'history')
      return call(base, 'GET', `/api/channels/${channelId}/messages?limit=50`, undefined, cookie);
    if (route === 'login') return login(base, fixture.loginUsername);
    return call(base, 'GET', '/api/faults-no-such-route');
  };
}

/** Records `reply` in `sample` and `record`; signs `member` in again after a 401. */
async function recordReply(
  base: string,
  record: LoadRecord,
  sample: Sample,
  reply: Reply,
  member: Member | undefined,
  sent: { channelId: number; content: string } | undefined,
): Promise<void> {
  sample.status = reply.status;
  if (reply.status >= 400 && typeof reply.body === 'object' && reply.body !== null) {
    sample.requestId = (reply.body as { requestId?: string }).requestId;
  }
  // dynalite keeps its tables in memory: its restart ends every session, as a user would see
  // it after a real session loss, so the loop signs in again (counted) and carries on.
  if (reply.status === 401 && member) {
    record.relogins += 1;
    const again = await login(base, member.username);
    if (again.status === 200) member.cookie = sessionCookie(again);
  }
  if (sent) {
    if (reply.status === 201) {
      const message = reply.body as { id: string; content: string; channelId: number };
      record.acknowledged.push({
        id: message.id,
        channelId: message.channelId,
        content: message.content,
      });
    } else record.unacknowledged.push(sent);
  }
}

/** The load: LOOPS[route] loops per route, each one request at a time at PACE_MS. */
export function runLoad(base: string, fixture: Fixture) {
  const record: LoadRecord = { samples: [], acknowledged: [], unacknowledged: [], relogins: 0 };
  let running = true;
  let sequence = 0;

  const request = async (route: RouteName, member: Member | undefined): Promise<void> => {
    const channelId = fixture.channelIds[sequence % fixture.channelIds.length] as number;
    sequence += 1;
    const startedAt = performance.now();
    const sample: Sample = { route, startedAt, ms: 0, status: 0 };
    const sent =
      route === 'send'
        ? { channelId, content: `faults ${member?.username} ${sequence} ${Date.now()}` }
        : undefined;
    try {
      const reply = await send(base, fixture, route, member)(channelId, sent);
      await recordReply(base, record, sample, reply, member, sent);
    } catch (error) {
      // A client timeout or a refused connection to serverless-offline: recorded as status 0 and
      // failed by the checks, never retried or hidden.
      sample.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      if (sent) record.unacknowledged.push(sent);
    }
    sample.ms = performance.now() - startedAt;
    record.samples.push(sample);
  };

  const loop = async (route: RouteName, member: Member | undefined) => {
    while (running) {
      const started = performance.now();
      await request(route, member);
      const wait = PACE_MS - (performance.now() - started);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  };
  const members = [...fixture.members];
  const loops = (Object.keys(LOOPS) as RouteName[]).flatMap((route) =>
    Array.from({ length: LOOPS[route] }, () =>
      loop(route, route === 'send' || route === 'history' ? members.shift() : undefined),
    ),
  );
  return {
    samples: record.samples,
    acknowledged: record.acknowledged,
    unacknowledged: record.unacknowledged,
    relogins: () => record.relogins,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}
export type Load = ReturnType<typeof runLoad>;

/**
 * Times this process (the load generator) was frozen: a 50 ms timer that fires late. Seen in the
 * same moments as slow requests, a stall says the whole machine paused (e.g. starved by an
 * engine's start), not the backend.
 */
export function watchStalls(thresholdMs = 500) {
  const found: Stall[] = [];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    if (now - last - 50 > thresholdMs) found.push({ at: last, ms: now - last - 50 });
    last = now;
  }, 50);
  return { found, stop: () => clearInterval(timer) };
}

/**
 * Waits until every route that needs `engine` has answered its success status for a request
 * started after `since`; returns when each did (performance.now() time), or undefined past the limit.
 */
export async function waitForRecovery(
  samples: Sample[],
  engine: EngineName,
  since: number,
): Promise<Map<RouteName, number | undefined>> {
  const routes = (Object.keys(NEEDS) as RouteName[]).filter((r) => NEEDS[r].includes(engine));
  const firstSuccess = () =>
    new Map(
      routes.map((route) => [
        route,
        samples.find(
          (s) => s.route === route && s.startedAt >= since && s.status === OK_STATUS[route],
        )?.startedAt,
      ]),
    );
  const deadline = since + RECOVERY_LIMIT_MS;
  while (performance.now() < deadline) {
    const found = firstSuccess();
    if ([...found.values()].every((t) => t !== undefined)) return found;
    await sleep(250);
  }
  return firstSuccess();
}
