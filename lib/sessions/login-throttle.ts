/**
 * Login throttling: login attempts are counted per username and per source address in fixed
 * windows (DynamoDB counters with a TTL attribute); past the limit, login answers 429 with
 * Retry-After until the window ends.
 *
 * The attempt is counted BEFORE the password is verified, by one conditional write per counter
 * (`ADD attempts :one` only while `attempts < limit`). Reading the counters first and counting a
 * failure only after the verification (hundreds of milliseconds of scrypt) let every request of a
 * parallel burst read the same low count: on Lambda each request has its own instance, so one
 * burst got as many guesses as the concurrency limit. A conditional write is atomic in DynamoDB,
 * so at most `limit` attempts per window ever reach the verification, however many arrive at once.
 *
 * The address's counter is taken first, the username's only once the address admitted the
 * attempt. Taking both at once let a flood from an address already over its limit hold a slot
 * of the victim username's counter for an instant each time (taken, then given back): enough to
 * keep a username at its limit, locking its owner out, without the flood spending a guess.
 * Attempts from an exhausted address now never touch any username's counter.
 *
 * How an attempt ends (endLoginAttempt):
 * - wrong credentials: the reserved attempts stay, counted as failures;
 * - verified: the username's counter is cleared and the address's attempt is given back, so a
 *   user who knows their password is never locked out by their own successful logins;
 * - not verified (the verification threw, e.g. MongoDB down): both attempts are given back, since
 *   no answer about the password was given.
 * When the address accepts and the username refuses (or cannot be written), the address's attempt
 * is given back at once.
 *
 * A counter that cannot be written (DynamoDB unavailable or throttling) is a refusal, never a
 * zero: the error propagates (503 for an unavailable store) and no verification happens.
 */
import { config } from '../config';
import { isConditionFailed, withDynamo } from '../db/dynamo';
import type { Logger } from '../logger';

/** The two counters one admitted attempt was counted against. */
export interface LoginAttempt {
  readonly usernameKey: string;
  readonly ipKey: string;
}

export type ThrottleVerdict =
  | { allowed: true; attempt: LoginAttempt }
  | { allowed: false; retryAfterSeconds: number };

/** verified: right password; failed: wrong credentials; unverified: no verdict was reached. */
export type LoginOutcome = 'verified' | 'failed' | 'unverified';

function windowOf(now: number) {
  const { loginThrottleWindowMs } = config().auth;
  const index = Math.floor(now / loginThrottleWindowMs);
  return { index, endsAt: (index + 1) * loginThrottleWindowMs };
}

const userKey = (username: string, window: number) =>
  `throttle#user#${username.trim().toLowerCase()}#${window}`;
const ipKey = (ip: string, window: number) => `throttle#ip#${ip}#${window}`;

/** Counts one attempt on `pk` unless it already holds `limit`; false when refused. */
async function take(pk: string, limit: number, expiresAtSeconds: number): Promise<boolean> {
  try {
    await withDynamo((dynamo, { UpdateCommand }) =>
      dynamo.send(
        new UpdateCommand({
          TableName: config().dynamo.sessionsTable,
          Key: { pk },
          UpdateExpression: 'ADD attempts :one SET #ttl = :ttl',
          ConditionExpression: 'attribute_not_exists(attempts) OR attempts < :limit',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':ttl': expiresAtSeconds },
        }),
      ),
    );
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}

/**
 * Gives one attempt back to `pk`. The condition keeps a counter from going below zero or being
 * re-created (with -1) after a successful login deleted it.
 */
async function giveBack(pk: string): Promise<void> {
  try {
    await withDynamo((dynamo, { UpdateCommand }) =>
      dynamo.send(
        new UpdateCommand({
          TableName: config().dynamo.sessionsTable,
          Key: { pk },
          UpdateExpression: 'ADD attempts :minusOne',
          ConditionExpression: 'attempts > :zero',
          ExpressionAttributeValues: { ':minusOne': -1, ':zero': 0 },
        }),
      ),
    );
  } catch (error) {
    if (isConditionFailed(error)) return; // nothing left to give back
    throw error;
  }
}

async function clear(pk: string): Promise<void> {
  await withDynamo((dynamo, { DeleteCommand }) =>
    dynamo.send(new DeleteCommand({ TableName: config().dynamo.sessionsTable, Key: { pk } })),
  );
}

/**
 * Runs the best-effort steps of ending an attempt. A failure leaves a counter one too high until
 * its window ends, which must not turn a login already decided into an error: it is logged.
 */
async function bestEffort(log: Logger, what: string, steps: Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(steps);
  for (const result of results) {
    if (result.status === 'rejected') {
      log.warn(`login throttle: could not ${what}`, { error: result.reason });
    }
  }
}

/**
 * Counts one login attempt for `username` from `ip`, atomically, if both counters are under their
 * limits; otherwise counts nothing and says how long to wait. The address is counted first and
 * the username only if the address admitted the attempt (see the top of this module). Throws
 * when a counter cannot be written: the caller must then not verify the password.
 */
export async function reserveLoginAttempt(
  username: string,
  ip: string,
  log: Logger,
  now = Date.now(),
): Promise<ThrottleVerdict> {
  const { loginMaxFailuresPerUsername, loginMaxFailuresPerIp } = config().auth;
  const { index, endsAt } = windowOf(now);
  const expiresAtSeconds = Math.ceil(endsAt / 1_000);
  const attempt: LoginAttempt = { usernameKey: userKey(username, index), ipKey: ipKey(ip, index) };
  const refused: ThrottleVerdict = {
    allowed: false,
    retryAfterSeconds: Math.max(1, Math.ceil((endsAt - now) / 1_000)),
  };
  // A failed write throws here before anything was counted.
  if (!(await take(attempt.ipKey, loginMaxFailuresPerIp, expiresAtSeconds))) return refused;
  let byUser: boolean;
  try {
    byUser = await take(attempt.usernameKey, loginMaxFailuresPerUsername, expiresAtSeconds);
  } catch (error) {
    await bestEffort(log, 'give back a refused attempt', [giveBack(attempt.ipKey)]);
    throw error;
  }
  if (byUser) return { allowed: true, attempt };
  await bestEffort(log, 'give back a refused attempt', [giveBack(attempt.ipKey)]);
  return refused;
}

/** Settles an attempt reserveLoginAttempt admitted, by how its verification ended. */
export async function endLoginAttempt(
  attempt: LoginAttempt,
  outcome: LoginOutcome,
  log: Logger,
): Promise<void> {
  if (outcome === 'failed') return; // the reserved attempts are the failure count
  if (outcome === 'verified') {
    await bestEffort(log, 'reset the counters after a successful login', [
      clear(attempt.usernameKey),
      giveBack(attempt.ipKey),
    ]);
    return;
  }
  await bestEffort(log, 'give back an unverified attempt', [
    giveBack(attempt.usernameKey),
    giveBack(attempt.ipKey),
  ]);
}
