/** Setting and clearing the session cookie on a response, per request. */
import { config } from '../config';
import { clearedSessionCookie, sessionCookie } from '../sessions/cookie';
import type { LambdaHttpEvent } from './types';

const LOCAL_HOST = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/;

/** `Secure` always, except for plain-http localhost under serverless-offline. */
function secureFor(event: LambdaHttpEvent): boolean {
  const host = event.headers?.host ?? event.requestContext?.domainName ?? '';
  return !(config().offline && LOCAL_HOST.test(host));
}

/** Set-Cookie for a new session token. */
export function setSessionCookie(event: LambdaHttpEvent, token: string): string {
  const maxAgeSeconds = Math.floor(config().auth.sessionAbsoluteMs / 1_000);
  return sessionCookie(token, { maxAgeSeconds, secure: secureFor(event) });
}

/** Set-Cookie that removes the session cookie. */
export function clearSessionCookie(event: LambdaHttpEvent): string {
  return clearedSessionCookie(secureFor(event));
}
