/**
 * The one HTTP client of the e2e tests and the verification items: JSON in and out, a session
 * cookie sent explicitly (`request`) or kept in a cookie jar like a browser's (`Client`), and each
 * answer timed (a client timeout makes a hang fail rather than wait forever).
 */

export interface Reply {
  status: number;
  headers: Headers;
  /** The JSON body parsed when the answer says it is JSON, else the text ('' when empty). */
  body: unknown;
  /** Set-Cookie header values of this response. */
  setCookies: string[];
  /** The URL that answered. */
  url: string;
  /** performance.now() when the whole answer had been read. */
  answeredAt: number;
  /** From sending the request to the whole answer read, ms. */
  ms: number;
}

export interface RequestOptions {
  /** Sent as JSON (a string as it is), with content-type application/json. */
  body?: unknown;
  /** The Cookie header to send, if any. */
  cookie?: string;
  headers?: Record<string, string>;
  /** Client timeout; 15 s unless given. */
  timeoutMs?: number;
}

/** One request to `baseUrl` + `path`; throws on a transport error or client timeout. */
export async function request(
  baseUrl: string,
  method: string,
  path: string,
  { body, cookie, headers = {}, timeoutMs = 15_000 }: RequestOptions = {},
): Promise<Reply> {
  const started = performance.now();
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(cookie ? { cookie } : {}),
      ...headers,
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  const answeredAt = performance.now();
  const type = response.headers.get('content-type') ?? '';
  return {
    status: response.status,
    headers: response.headers,
    body: text && type.includes('json') ? JSON.parse(text) : text,
    setCookies: response.headers.getSetCookie(),
    url: response.url,
    answeredAt,
    ms: answeredAt - started,
  };
}

/** The session cookie (`sid=…`) a reply sets, if it sets one with a value. */
export function sessionCookieOf(reply: Pick<Reply, 'setCookies'>): string | undefined {
  return reply.setCookies
    .map((header) => header.split(';')[0] ?? '')
    .find((pair) => pair.startsWith('sid=') && pair.length > 'sid='.length);
}

/** A browser's cookies for one site, name → value. */
export type CookieJar = Map<string, string>;

/** The Cookie header a browser would send from `jar` ('' when it is empty). */
export function cookieHeader(jar: CookieJar): string {
  return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
}

/** Keeps the cookies of Set-Cookie headers in `jar`, as a browser would (Max-Age=0 clears one). */
export function keepCookies(jar: CookieJar, setCookies: string[]): void {
  for (const header of setCookies) {
    const [pair = '', ...attributes] = header.split(';');
    const [name = '', value = ''] = pair.split('=');
    const cleared = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
    if (cleared || value === '') jar.delete(name.trim());
    else jar.set(name.trim(), value.trim());
  }
}

export interface ClientOptions {
  /** Called with every answer (body undefined when empty); throws to fail the request. */
  checkReply?: (method: string, url: string, status: number, body: unknown) => void;
  timeoutMs?: number;
}

/** A client of one server with a cookie jar of its own: a browser's session. */
export class Client {
  /** Cookies the "browser" holds, name → value. */
  readonly jar: CookieJar = new Map();
  constructor(
    readonly baseUrl: string,
    private readonly options: ClientOptions = {},
  ) {}

  async request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply> {
    const cookie = cookieHeader(this.jar);
    const reply = await request(this.baseUrl, method, path, {
      body,
      headers,
      ...(cookie ? { cookie } : {}),
      ...(this.options.timeoutMs ? { timeoutMs: this.options.timeoutMs } : {}),
    });
    keepCookies(this.jar, reply.setCookies);
    const checked = reply.body === '' ? undefined : reply.body;
    this.options.checkReply?.(method, reply.url, reply.status, checked);
    return reply;
  }

  get = (path: string, headers?: Record<string, string>) =>
    this.request('GET', path, undefined, headers);
  post = (path: string, body?: unknown, headers?: Record<string, string>) =>
    this.request('POST', path, body, headers);
}
