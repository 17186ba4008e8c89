/** JSON requests to serverless-offline for verify:ring, with a client timeout that shows hangs. */

/** Far above the 5 s a request may take, so a hang is measured as one rather than cut short. */
export const CLIENT_TIMEOUT_MS = 20_000;

export interface Reply {
  status: number;
  body: unknown;
  setCookie: string[];
}

/** One JSON request; `cookie` is the session cookie to send, if any. */
export async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  cookie?: string,
): Promise<Reply> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(cookie ? { cookie } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
  });
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  return {
    status: response.status,
    body: text && type.includes('json') ? JSON.parse(text) : text,
    setCookie: response.headers.getSetCookie(),
  };
}

export function sessionCookie(reply: Reply): string {
  const sid = reply.setCookie.map((c) => c.split(';')[0] ?? '').find((c) => c.startsWith('sid='));
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
export async function fullHistory(base: string, cookie: string, channelId: number) {
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
