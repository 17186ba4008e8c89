/**
 * A tiny HTTP client for e2e tests: JSON in and out, and a cookie jar like a browser's. Every 2xx
 * answer is checked against its documented success response (./response-check).
 */
import { inject } from 'vitest';
import { checkSuccessResponse } from './response-check';

export interface Reply {
  status: number;
  headers: Headers;
  body: unknown;
  /** Set-Cookie header values of this response. */
  setCookies: string[];
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

export class Client {
  /** Cookies the "browser" holds, name → value. */
  readonly jar: CookieJar = new Map();
  constructor(readonly baseUrl = inject('offlineUrl')) {}

  async request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply> {
    const cookie = cookieHeader(this.jar);
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(cookie ? { cookie } : {}),
        ...headers,
      },
      ...(body === undefined
        ? {}
        : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      signal: AbortSignal.timeout(15_000),
    });
    const setCookies = response.headers.getSetCookie();
    keepCookies(this.jar, setCookies);
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    const parsed = text && type.includes('json') ? JSON.parse(text) : text;
    checkSuccessResponse(method, response.url, response.status, text === '' ? undefined : parsed);
    return { status: response.status, headers: response.headers, body: parsed, setCookies };
  }

  get = (path: string, headers?: Record<string, string>) =>
    this.request('GET', path, undefined, headers);
  post = (path: string, body?: unknown, headers?: Record<string, string>) =>
    this.request('POST', path, body, headers);
}

let counter = 0;
/** A username no other test (or earlier run) uses. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${process.pid.toString(36)}${counter}`.slice(0, 32);
}

/** A registration body for a fresh student (override anything). */
export function newUser(overrides: Record<string, unknown> = {}) {
  const username = uniqueName('u');
  return {
    username,
    password: 'correct horse battery',
    name: 'Test User',
    email: `${username}@example.test`,
    ...overrides,
  };
}
