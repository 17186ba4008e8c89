/** JSON requests to serverless-offline for verify:ring, with a client timeout that shows hangs. */
import { callWithTimeout, fullHistory as historyOf } from '../api-calls';

export { expectStatus, type Reply, sessionCookie } from '../api-calls';

/** Far above the 5 s a request may take, so a hang is measured as one rather than cut short. */
export const CLIENT_TIMEOUT_MS = 20_000;

export const call = callWithTimeout(CLIENT_TIMEOUT_MS);

/** Every message of a channel, paging back from the newest with `before`. */
export const fullHistory = (base: string, cookie: string, channelId: number) =>
  historyOf(call, base, cookie, channelId);
