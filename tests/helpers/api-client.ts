/**
 * The generated client (client/) as an e2e test's user holds it: Node's fetch keeps no cookies, so
 * each client gets a fetch with a cookie jar of its own (the session, like a browser's), and every
 * 2xx answer is checked against its documented success response (./response-check).
 */
import { inject } from 'vitest';
import { type ApiClient, createApiClient } from '../../client';
import { type CookieJar, cookieHeader, keepCookies } from './http-client';
import { checkSuccessResponse } from './response-check';

export interface ApiUser {
  api: ApiClient;
  jar: CookieJar;
}

/** A fetch that sends and keeps the cookies of `jar`. */
function fetchWithCookies(jar: CookieJar) {
  return async (request: Request): Promise<Response> => {
    const cookie = cookieHeader(jar);
    if (cookie) request.headers.set('cookie', cookie);
    const response = await fetch(request, { signal: AbortSignal.timeout(15_000) });
    keepCookies(jar, response.headers.getSetCookie());
    const text = await response.clone().text();
    const json = (response.headers.get('content-type') ?? '').includes('json');
    checkSuccessResponse(
      request.method,
      response.url,
      response.status,
      text === '' ? undefined : json ? JSON.parse(text) : text,
    );
    return response;
  };
}

/** A client of the e2e server with an empty cookie jar (a new browser). */
export function apiUser(baseUrl = inject('offlineUrl')): ApiUser {
  const jar: CookieJar = new Map();
  return { api: createApiClient(baseUrl, fetchWithCookies(jar)), jar };
}
