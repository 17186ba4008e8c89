/** The faults item's requests: one JSON request with the client timeout, sessions, histories. */
import { callWithTimeout, fullHistory as historyOf } from '../api-calls';
import { CLIENT_TIMEOUT_MS, PASSWORD } from './scenario';

export { expectStatus, sessionCookie } from '../api-calls';

export const call = callWithTimeout(CLIENT_TIMEOUT_MS);

export const login = (base: string, username: string) =>
  call(base, 'POST', '/api/auth/login', { username, password: PASSWORD });

/** Every message of a channel, paging back from the newest with `before`. */
export const fullHistory = (base: string, cookie: string, channelId: number) =>
  historyOf(call, base, cookie, channelId);
