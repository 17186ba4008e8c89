/**
 * Second tries against a cluster whose nodes come and go.
 *
 * RetryIdempotentTimeoutsOnce is the driver's retry policy: its default, except that a statement
 * marked idempotent whose coordinator timed out waiting for replicas is sent once more, to the next
 * node of its query plan.
 *
 * The default resends no write timeout (but a batch log's) and a read timeout only to the same
 * coordinator, and only when enough replicas answered. On a cluster where a node has just come
 * back, its JVM still cold, that node coordinates or takes part in a Paxos round and misses the
 * 2 s replica timeout: the request fails although the other replicas are healthy. A statement
 * marked idempotent (see the message store) ends where one run would however often it runs, so
 * one more try through another coordinator turns that 503 into a success. The driver asks
 * `onWriteTimeout` and `onRequestError` only about idempotent statements; `onReadTimeout` is
 * asked about every one, so it checks.
 *
 * One resend at most per statement, whatever the cause: the default would also send a socket
 * error, a client timeout or an overloaded answer on to every node of the plan, each with its
 * own 5 s read timeout. Two tries keep a statement within about 10 s, a Lambda's own timeout.
 * (The driver counts its own re-sends too: after re-preparing on a restarted node, a timeout is
 * not resent.)
 */
import { policies, type types } from 'cassandra-driver';
import { logger } from '../logger';
import { outcomeUnknown } from './cassandra-errors';

type OperationInfo = policies.retry.OperationInfo;
type DecisionInfo = policies.retry.DecisionInfo;

const NEXT_HOST = false;
/** `undefined` keeps the statement's own consistency levels (the typings leave it out). */
const SAME_CONSISTENCY = undefined as unknown as types.consistencies;

/**
 * The decision to send again through the next node, logged as a warning: on a healthy cluster no
 * statement times out, so each line marks a node that was slow (verify:ring counts them).
 */
function resend(after: string, kind: string, policy: policies.retry.RetryPolicy): DecisionInfo {
  logger.warn('cassandra statement resent', { after, kind });
  return policy.retryResult(SAME_CONSISTENCY, NEXT_HOST);
}

export class RetryIdempotentTimeoutsOnce extends policies.retry.RetryPolicy {
  override onWriteTimeout(
    info: OperationInfo,
    consistency: types.consistencies,
    received: number,
    blockFor: number,
    writeType: string,
  ): DecisionInfo {
    if (info.nbRetry > 0 || !info.executionOptions.isIdempotent()) {
      return super.onWriteTimeout(info, consistency, received, blockFor, writeType);
    }
    return resend('write timeout', writeType, this);
  }

  override onReadTimeout(
    info: OperationInfo,
    consistency: types.consistencies,
    received: number,
    blockFor: number,
    isDataPresent: boolean,
  ): DecisionInfo {
    if (info.nbRetry > 0 || !info.executionOptions.isIdempotent()) {
      return super.onReadTimeout(info, consistency, received, blockFor, isDataPresent);
    }
    return resend('read timeout', 'read', this);
  }

  override onRequestError(
    info: OperationInfo,
    consistency: types.consistencies,
    error: Error,
  ): DecisionInfo {
    if (info.nbRetry > 0) return this.rethrowResult();
    return super.onRequestError(info, consistency, error);
  }
}

/**
 * Runs a conditional delete (`DELETE ... IF EXISTS`, not marked idempotent) and says whether the
 * row is gone by this call's doing. When the first run fails without saying whether it applied (a
 * Paxos round whose answer timed out, no answer within the read timeout, a node that closed its
 * connection mid-request), it runs once more: "not applied" then means the row is gone, by the
 * first run or by a delete that raced it, so the delete asked for has happened (true; in that
 * race both requests answer so). The driver cannot make that call: resent by it, the statement
 * would answer "not applied", which alone means "never there".
 */
export async function deleteIfExists(
  run: () => Promise<{ wasApplied(): boolean }>,
): Promise<boolean> {
  try {
    return (await run()).wasApplied();
  } catch (error) {
    if (!outcomeUnknown(error)) throw error;
    await run();
    return true;
  }
}
