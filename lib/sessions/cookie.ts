/** The session cookie: `sid`, HttpOnly, Secure, SameSite=Lax, Path=/, no Domain (host-only). */

export const SESSION_COOKIE = 'sid';

export interface CookieOptions {
  /** Lifetime in seconds (the session's absolute lifetime; idle expiry is enforced server-side). */
  maxAgeSeconds: number;
  /** False only for plain-http localhost in serverless-offline. */
  secure: boolean;
}

/** The Set-Cookie value that gives the browser `token`. */
export function sessionCookie(token: string, { maxAgeSeconds, secure }: CookieOptions): string {
  return [
    `${SESSION_COOKIE}=${token}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    `Max-Age=${maxAgeSeconds}`,
  ]
    .concat(secure ? ['Secure'] : [])
    .join('; ');
}

/** The Set-Cookie value that removes the cookie. */
export function clearedSessionCookie(secure: boolean): string {
  return [`${SESSION_COOKIE}=`, 'Path=/', 'HttpOnly', 'SameSite=Lax', 'Max-Age=0']
    .concat(secure ? ['Secure'] : [])
    .join('; ');
}

/** The token from the request's cookies (API Gateway v2 passes them as `name=value` strings). */
export function readSessionToken(cookies: readonly string[] | undefined): string | undefined {
  for (const cookie of cookies ?? []) {
    const separator = cookie.indexOf('=');
    if (separator > 0 && cookie.slice(0, separator).trim() === SESSION_COOKIE) {
      return cookie.slice(separator + 1).trim();
    }
  }
  return undefined;
}
