/**
 * verify:ring's steady mixed load: loops that each send one request at a time at a fixed pace,
 * through serverless-offline, over every kind of message-store work: sends (plain inserts),
 * history pages (reads), read marks and pins/unpins (conditional writes), deletes (the one
 * conditional write the driver may not resend), and an unknown path as a control that needs no
 * database.
 */
import type { Fixture, Member } from './fixture';
import { call, type Reply } from './http';
import type { SentMessage } from './ledger';
import type { RouteName, Sample } from './phases';

/** Each loop starts its next request this long after the previous one started (or at once). */
const PACE_MS = 250;
/** Read marks and pins pick among the newest acknowledged messages. */
const RECENT = 20;

type LoopKind = 'send' | 'history' | 'read' | 'pin' | 'delete' | 'control';
/** Loops per kind: sends and history reads dominate, as in the real app. */
export const LOOPS: Record<LoopKind, number> = {
  send: 3,
  history: 2,
  read: 1,
  pin: 1,
  delete: 1,
  control: 1,
};
/** Students the loops act as: one per send, history, read and delete loop. */
export const STUDENTS_NEEDED = LOOPS.send + LOOPS.history + LOOPS.read + LOOPS.delete;

export interface Load {
  samples: Sample[];
  /** Every message a send acknowledged with 201, and whether it was deleted since. */
  sent: SentMessage[];
  /** Contents of sends that got no 201 (stored or not: the client was not told it was). */
  unacknowledged: string[];
  stop(): Promise<void>;
}

interface Context {
  base: string;
  fixture: Fixture;
  load: Load;
  sequence: number;
}

/** Sends one request, records it as a sample of `route`; undefined on a transport error. */
async function timed(
  ctx: Context,
  route: RouteName,
  send: () => Promise<Reply>,
): Promise<Reply | undefined> {
  const sample: Sample = { route, startedAt: performance.now(), ms: 0, status: 0 };
  let reply: Reply | undefined;
  try {
    reply = await send();
    // serverless-offline answers a function timeout as a *200* with a Lambda error body.
    const lambdaError = (reply.body as { errorType?: string } | null)?.errorType;
    sample.status = lambdaError ? 504 : reply.status;
    if (lambdaError) sample.message = lambdaError;
    if (reply.status >= 400 && typeof reply.body === 'object' && reply.body !== null) {
      const body = reply.body as { requestId?: string; message?: string };
      sample.requestId = body.requestId;
      sample.message = body.message;
    }
  } catch (error) {
    // A client timeout or a refused connection: recorded as status 0 and failed by the checks.
    sample.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
  sample.ms = performance.now() - sample.startedAt;
  ctx.load.samples.push(sample);
  return reply;
}

function nextChannel(ctx: Context): number {
  ctx.sequence += 1;
  return ctx.fixture.channelIds[ctx.sequence % ctx.fixture.channelIds.length] as number;
}

/** How the delete loop's messages begin: read marks and pins leave them alone. */
const DOOMED = 'ring doomed';

/** Sends a message as `member` (one to delete, if `doomed`); the acknowledged message, or undefined. */
async function send(
  ctx: Context,
  member: Member,
  doomed = false,
): Promise<SentMessage | undefined> {
  const channelId = nextChannel(ctx);
  const content = `${doomed ? DOOMED : 'ring'} ${member.username} ${ctx.sequence} ${Date.now()}`;
  const reply = await timed(ctx, 'send', () =>
    call(ctx.base, 'POST', '/api/messages', { channelId, content }, member.cookie),
  );
  if (reply?.status !== 201) {
    ctx.load.unacknowledged.push(content);
    return undefined;
  }
  const message = reply.body as { id: string; channelId: number; content: string };
  const sent: SentMessage = { ...message, deleted: 'no' };
  ctx.load.sent.push(sent);
  return sent;
}

/** A recent acknowledged message not by `member` and not the delete loop's (never deleted). */
function recent(ctx: Context, member: Member): SentMessage | undefined {
  const candidates = ctx.load.sent
    .slice(-RECENT * 2)
    .filter(
      (m) =>
        m.deleted === 'no' &&
        !m.content.startsWith(`ring ${member.username} `) &&
        !m.content.startsWith(DOOMED),
    );
  return candidates[ctx.sequence % Math.max(1, candidates.length)];
}

async function step(ctx: Context, kind: LoopKind, member: Member): Promise<void> {
  const { base } = ctx;
  if (kind === 'send') {
    await send(ctx, member);
  } else if (kind === 'history') {
    const channelId = nextChannel(ctx);
    await timed(ctx, 'history', () =>
      call(base, 'GET', `/api/channels/${channelId}/messages?limit=50`, undefined, member.cookie),
    );
  } else if (kind === 'read') {
    const target = recent(ctx, member);
    if (!target) return;
    await timed(ctx, 'read', () =>
      call(
        base,
        'POST',
        `/api/messages/${target.id}/read`,
        { channelId: target.channelId },
        member.cookie,
      ),
    );
  } else if (kind === 'pin') {
    const target = recent(ctx, member);
    if (!target) return;
    const path = `/api/channels/${target.channelId}/pin/${target.id}`;
    await timed(ctx, 'pin', () => call(base, 'POST', path, undefined, member.cookie));
    // Unpinned whatever the pin answered, so the channel stays far below its 50 pins.
    await timed(ctx, 'unpin', () => call(base, 'DELETE', path, undefined, member.cookie));
  } else if (kind === 'delete') {
    const doomed = await send(ctx, member, true);
    if (!doomed) return;
    const reply = await timed(ctx, 'delete', () =>
      call(
        base,
        'DELETE',
        `/api/messages/${doomed.id}?channelId=${doomed.channelId}`,
        undefined,
        member.cookie,
      ),
    );
    doomed.deleted = reply?.status === 204 ? 'yes' : 'unknown';
  } else {
    await timed(ctx, 'control', () => call(base, 'GET', '/api/ring-no-such-route'));
  }
}

/** Starts the loops; `stop()` ends them after their current request. */
export function runLoad(base: string, fixture: Fixture): Load {
  let running = true;
  const load: Load = { samples: [], sent: [], unacknowledged: [], stop: async () => undefined };
  const ctx: Context = { base, fixture, load, sequence: 0 };
  const loop = async (kind: LoopKind, member: Member) => {
    while (running) {
      const started = performance.now();
      await step(ctx, kind, member);
      const wait = PACE_MS - (performance.now() - started);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  };
  const students = [...fixture.students];
  const loops = (Object.keys(LOOPS) as LoopKind[]).flatMap((kind) =>
    Array.from({ length: LOOPS[kind] }, () =>
      loop(
        kind,
        kind === 'pin' || kind === 'control' ? fixture.teacher : (students.shift() as Member),
      ),
    ),
  );
  load.stop = async () => {
    running = false;
    await Promise.all(loops);
  };
  return load;
}
