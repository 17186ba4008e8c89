/**
 * Login throttling: failed logins are counted per username and per source IP in fixed windows
 * (DynamoDB counters with an expiry); past the limit, login answers 429 with Retry-After until the
 * window ends. Counting failures only means a user who knows their password is never locked out
 * by their own successful logins; an attacker guessing one account is slowed to a handful of
 * tries per window, and one address guessing many accounts is slowed too.
 */
import { config } from '../config';
import { withDynamo } from '../db/dynamo';

export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

function windowOf(now: number) {
  const { loginThrottleWindowMs } = config().auth;
  const index = Math.floor(now / loginThrottleWindowMs);
  return { index, endsAt: (index + 1) * loginThrottleWindowMs };
}

const userKey = (username: string, window: number) =>
  `throttle#user#${username.trim().toLowerCase()}#${window}`;
const ipKey = (ip: string, window: number) => `throttle#ip#${ip}#${window}`;

/** Whether another login attempt for `username` from `ip` may be tried now. */
export async function checkLogin(
  username: string,
  ip: string,
  now = Date.now(),
): Promise<ThrottleVerdict> {
  const { loginMaxFailuresPerUsername, loginMaxFailuresPerIp } = config().auth;
  const { index, endsAt } = windowOf(now);
  const TableName = config().dynamo.sessionsTable;
  const keys = [userKey(username, index), ipKey(ip, index)];
  const result = await withDynamo((dynamo, { BatchGetCommand }) =>
    dynamo.send(
      new BatchGetCommand({
        RequestItems: { [TableName]: { Keys: keys.map((pk) => ({ pk })), ConsistentRead: true } },
      }),
    ),
  );
  const failures = new Map(
    (result.Responses?.[TableName] ?? []).map((item) => [
      item.pk as string,
      Number(item.failures ?? 0),
    ]),
  );
  const blocked =
    (failures.get(keys[0] as string) ?? 0) >= loginMaxFailuresPerUsername ||
    (failures.get(keys[1] as string) ?? 0) >= loginMaxFailuresPerIp;
  return blocked
    ? { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((endsAt - now) / 1_000)) }
    : { allowed: true };
}

/** Counts one failed login against both the username and the address. */
export async function recordLoginFailure(
  username: string,
  ip: string,
  now = Date.now(),
): Promise<void> {
  const { index, endsAt } = windowOf(now);
  const TableName = config().dynamo.sessionsTable;
  await withDynamo((dynamo, { UpdateCommand }) =>
    Promise.all(
      [userKey(username, index), ipKey(ip, index)].map((pk) =>
        dynamo.send(
          new UpdateCommand({
            TableName,
            Key: { pk },
            UpdateExpression: 'ADD failures :one SET #ttl = :ttl',
            ExpressionAttributeNames: { '#ttl': 'ttl' },
            ExpressionAttributeValues: { ':one': 1, ':ttl': Math.ceil(endsAt / 1_000) },
          }),
        ),
      ),
    ),
  );
}

/** After a successful login, the username's failures no longer count against it. */
export async function clearLoginFailures(username: string, now = Date.now()): Promise<void> {
  const { index } = windowOf(now);
  await withDynamo((dynamo, { DeleteCommand }) =>
    dynamo.send(
      new DeleteCommand({
        TableName: config().dynamo.sessionsTable,
        Key: { pk: userKey(username, index) },
      }),
    ),
  );
}
