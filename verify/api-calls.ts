/** JSON calls to the API under test, shared by the verification items that drive it with load. */
import { type Reply, request, sessionCookieOf } from '../harness/http-client';

export type { Reply };

/** `cookie` is the session cookie to send, if any. */
export type Call = (
  base: string,
  method: string,
  path: string,
  body?: unknown,
  cookie?: string,
) => Promise<Reply>;

/** One JSON request at a time with the client timeout `timeoutMs` (a hang fails, not waits). */
export const callWithTimeout =
  (timeoutMs: number): Call =>
  (base, method, path, body, cookie) =>
    request(base, method, path, {
      ...(body === undefined ? {} : { body }),
      ...(cookie ? { cookie } : {}),
      timeoutMs,
    });

export function sessionCookie(reply: Reply): string {
  const sid = sessionCookieOf(reply);
  if (!sid) throw new Error(`no session cookie in the reply (status ${reply.status})`);
  return sid;
}

export async function expectStatus(
  reply: Promise<Reply>,
  status: number,
  what: string,
): Promise<Reply> {
  const answer = await reply;
  if (answer.status !== status)
    throw new Error(
      `${what}: expected ${status}, got ${answer.status} ${JSON.stringify(answer.body)}`,
    );
  return answer;
}

/** Every message of a channel, paging back from the newest with `before`. */
export async function fullHistory(call: Call, base: string, cookie: string, channelId: number) {
  const messages: { id: string; content: string; channelId: number }[] = [];
  let before: string | undefined;
  for (;;) {
    const query = `limit=100${before ? `&before=${before}` : ''}`;
    const reply = await expectStatus(
      call(base, 'GET', `/api/channels/${channelId}/messages?${query}`, undefined, cookie),
      200,
      `history of channel ${channelId}`,
    );
    const page = reply.body as { id: string; content: string }[];
    messages.push(...page.map((m) => ({ id: m.id, content: m.content, channelId })));
    if (page.length < 100) return messages;
    before = (page[0] as { id: string }).id;
  }
}
