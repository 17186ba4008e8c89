/** The realtime item's HTTP calls: JSON with a 30 s client timeout and the session id kept apart. */
import { request, sessionCookieOf } from '../../harness/http-client';

export interface Reply {
  status: number;
  body: Record<string, unknown>;
  sid?: string;
  /** When the answer was read (performance.now()). */
  answeredAt: number;
  ms: number;
}

export async function call(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  sid?: string,
): Promise<Reply> {
  const reply = await request(baseUrl, method, path, {
    ...(body === undefined ? {} : { body }),
    ...(sid ? { cookie: `sid=${sid}` } : {}),
    timeoutMs: 30_000,
  });
  const cookie = sessionCookieOf(reply)?.slice('sid='.length);
  return {
    status: reply.status,
    body: (reply.body || {}) as Record<string, unknown>,
    ...(cookie ? { sid: cookie } : {}),
    answeredAt: reply.answeredAt,
    ms: reply.ms,
  };
}

export async function expectStatus(
  reply: Promise<Reply>,
  status: number,
  what: string,
): Promise<Reply> {
  const r = await reply;
  if (r.status !== status) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r;
}
