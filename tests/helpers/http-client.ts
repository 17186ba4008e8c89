/**
 * The HTTP client of the e2e tests (harness/http-client.ts) pointed at the e2e server, with every
 * 2xx answer checked against its documented success response (./response-check); and test users.
 */
import { inject } from 'vitest';
import { Client as HttpClient } from '../../harness/http-client';
import { checkSuccessResponse } from './response-check';

export { type CookieJar, cookieHeader, keepCookies, type Reply } from '../../harness/http-client';

export class Client extends HttpClient {
  constructor(baseUrl = inject('offlineUrl')) {
    super(baseUrl, { checkReply: checkSuccessResponse });
  }
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
