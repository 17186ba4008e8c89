/**
 * Idempotency-Key for POST routes that create things (POST /messages, POST /test-attempts), which
 * ask for it with httpHandler's `idempotency` option; the stack runs the whole handler here. A retry
 * with the same key and the same body gets the first response again, never a second message; the
 * same key with a different body is 422; a retry while the first is still running is 409.
 *
 * Keys are scoped to the caller and the route, so two users choosing the same key never collide.
 * The record is claimed with a conditional put (one winner under concurrent retries), completed
 * with the response, and removed again if the work fails, so a failed request can be retried.
 * Records expire after 24 hours (checked in code; TTL only cleans up).
 */
import { createHash } from 'node:crypto';
import { config } from '../config';
import { isConditionFailed, withDynamo } from '../db/dynamo';
import { BadRequestError, ConflictError, UnprocessableEntityError } from './errors';
import type { HttpResult } from './types';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1_000;
/** Printable ASCII, as Stripe and the IETF draft use: a UUID or similar. */
const KEY_SHAPE = /^[\x21-\x7e]{1,255}$/;

interface Record_ {
  pk: string;
  status: 'in_progress' | 'complete';
  fingerprint: string;
  expiresAt: number;
  ttl: number;
  response?: string;
}

/** The request's Idempotency-Key header, validated; undefined when absent. */
export function idempotencyKey(headers: Record<string, string | undefined>): string | undefined {
  const key = headers['idempotency-key'];
  if (key === undefined) return undefined;
  if (!KEY_SHAPE.test(key)) {
    throw new BadRequestError('Invalid Idempotency-Key', [
      { path: 'headers.idempotency-key', message: '1 to 255 printable ASCII characters' },
    ]);
  }
  return key;
}

/** A stable hash of a request body (keys sorted), to tell "same request" from "same key, other body". */
export function fingerprint(body: unknown): string {
  const canonical = JSON.stringify(body, (_key, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)))
      : value,
  );
  return createHash('sha256')
    .update(canonical ?? '')
    .digest('hex');
}

/**
 * Runs `work` once per (user, scope, key): the first call runs it and records its response; later
 * calls with the same body replay that response.
 */
export async function idempotent(
  { userId, scope, key, body }: { userId: number; scope: string; key: string; body: unknown },
  work: () => Promise<HttpResult>,
  now = Date.now(),
): Promise<HttpResult> {
  const TableName = config().dynamo.idempotencyTable;
  const pk = `${userId}#${scope}#${createHash('sha256').update(key).digest('hex')}`;
  const print = fingerprint(body);
  const claim: Record_ = {
    pk,
    status: 'in_progress',
    fingerprint: print,
    expiresAt: now + IDEMPOTENCY_TTL_MS,
    ttl: Math.ceil((now + IDEMPOTENCY_TTL_MS) / 1_000),
  };
  try {
    await withDynamo((dynamo, { PutCommand }) =>
      dynamo.send(
        new PutCommand({
          TableName,
          Item: claim,
          // Free, or an expired record that TTL has not removed yet.
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': now },
        }),
      ),
    );
  } catch (error) {
    if (!isConditionFailed(error)) throw error;
    return replay(TableName, pk, print);
  }

  let result: HttpResult;
  try {
    result = await work();
  } catch (error) {
    // Nothing was created (or the client got an error): let a retry run the work again.
    await withDynamo((dynamo, { DeleteCommand }) =>
      dynamo.send(new DeleteCommand({ TableName, Key: { pk } })),
    );
    throw error;
  }
  await withDynamo((dynamo, { UpdateCommand }) =>
    dynamo.send(
      new UpdateCommand({
        TableName,
        Key: { pk },
        UpdateExpression: 'SET #status = :complete, #response = :response',
        ExpressionAttributeNames: { '#status': 'status', '#response': 'response' },
        ExpressionAttributeValues: {
          ':complete': 'complete',
          ':response': JSON.stringify({ status: result.status, body: result.body }),
        },
      }),
    ),
  );
  return result;
}

async function replay(TableName: string, pk: string, print: string): Promise<HttpResult> {
  const { Item } = await withDynamo((dynamo, { GetCommand }) =>
    dynamo.send(new GetCommand({ TableName, Key: { pk }, ConsistentRead: true })),
  );
  const record = Item as Record_ | undefined;
  if (!record)
    throw new ConflictError('The request with this Idempotency-Key did not finish; retry');
  if (record.fingerprint !== print) {
    throw new UnprocessableEntityError(
      'This Idempotency-Key was used with a different request body',
    );
  }
  if (record.status !== 'complete' || !record.response) {
    throw new ConflictError('A request with this Idempotency-Key is still in progress');
  }
  const stored = JSON.parse(record.response) as { status: number; body: unknown };
  return { status: stored.status, body: stored.body, headers: { 'Idempotent-Replayed': 'true' } };
}
