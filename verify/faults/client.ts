/** The faults item's requests: one JSON request with the client timeout, sessions, histories. */
import { type Reply, request, sessionCookieOf } from '../../harness/http-client';
import { CLIENT_TIMEOUT_MS, PASSWORD } from './scenario';

/** One JSON request with the client timeout; `cookie` is the session cookie to send, if any. */
export const call = (base: string, method: string, path: string, body?: unknown, cookie?: string) =>
  request(base, method, path, {
    ...(body === undefined ? {} : { body }),
    ...(cookie ? { cookie } : {}),
    timeoutMs: CLIENT_TIMEOUT_MS,
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

export const login = (base: string, username: string) =>
  call(base, 'POST', '/api/auth/login', { username, password: PASSWORD });

/** Every message of a channel, paging back from the newest with `before`. */
export async function fullHistory(base: string, cookie: string, channelId: number) {
  const messages: { id: string; content: string }[] = [];
  let before: string | undefined;
  for (;;) {
    const query = `limit=100${before ? `&before=${before}` : ''}`;
    const reply = await expectStatus(
      call(base, 'GET', `/api/channels/${channelId}/messages?${query}`, undefined, cookie),
      200,
      `history of channel ${channelId}`,
    );
    const page = reply.body as { id: string; content: string }[];
    messages.push(...page);
    if (page.length < 100) return messages;
    before = (page[0] as { id: string }).id;
  }
}
