/**
 * The second tries of lib/db/cassandra-retries.ts: the retry policy's decisions, asked the way the
 * driver asks them, and the conditional delete's reading of a run whose outcome is unknown. Pure
 * units: the policy is called directly, and the delete gets a function standing for one run.
 */
import { errors, policies, types } from 'cassandra-driver';
import { describe, expect, it } from 'vitest';
import { deleteIfExists, RetryIdempotentTimeoutsOnce } from '../../lib/db/cassandra-retries';
import { DatabaseUnavailableError } from '../../lib/db/errors';

/** The driver's decision codes (missing from its typings). */
const { retry, rethrow } = (
  policies.retry.RetryPolicy as unknown as { retryDecision: { retry: number; rethrow: number } }
).retryDecision;
const localQuorum = types.consistencies.localQuorum;
const localSerial = types.consistencies.localSerial;

function operation(isIdempotent: boolean, nbRetry: number): policies.retry.OperationInfo {
  return {
    query: 'UPDATE t SET v = ? WHERE k = ? IF v = ?',
    nbRetry,
    executionOptions: { isIdempotent: () => isIdempotent },
  } as unknown as policies.retry.OperationInfo;
}

type Decision = policies.retry.DecisionInfo & { useCurrentHost?: boolean };

describe('RetryIdempotentTimeoutsOnce', () => {
  const policy = new RetryIdempotentTimeoutsOnce();

  it('sends an idempotent write timeout (a Paxos round among them) once more, to another node', () => {
    for (const writeType of ['CAS', 'SIMPLE']) {
      const decision = policy.onWriteTimeout(
        operation(true, 0),
        localSerial,
        1,
        2,
        writeType,
      ) as Decision;
      expect(decision.decision).toBe(retry);
      expect(decision.useCurrentHost).toBe(false);
      // The statement keeps its own consistency levels (a CAS timeout reports the serial one).
      expect(decision.consistency).toBeUndefined();
    }
  });

  it('gives up on the second write timeout', () => {
    expect(policy.onWriteTimeout(operation(true, 1), localSerial, 1, 2, 'CAS').decision).toBe(
      rethrow,
    );
  });

  it('sends an idempotent read timeout once more, to another node, whatever answered', () => {
    const decision = policy.onReadTimeout(operation(true, 0), localQuorum, 1, 2, false) as Decision;
    expect(decision.decision).toBe(retry);
    expect(decision.useCurrentHost).toBe(false);
    expect(policy.onReadTimeout(operation(true, 0), localQuorum, 2, 2, true).decision).toBe(retry);
    expect(policy.onReadTimeout(operation(true, 1), localQuorum, 1, 2, false).decision).toBe(
      rethrow,
    );
  });

  it('sends a socket error or client timeout on to the next node once, then gives up', () => {
    const closed = new Error('Socket was closed');
    const first = policy.onRequestError(operation(true, 0), localQuorum, closed) as Decision;
    expect(first.decision).toBe(retry);
    expect(first.useCurrentHost).toBe(false);
    // The default would go on to every node of the plan, each with its own read timeout.
    expect(
      new policies.retry.RetryPolicy().onRequestError(operation(true, 1), localQuorum, closed)
        .decision,
    ).toBe(retry);
    expect(policy.onRequestError(operation(true, 1), localQuorum, closed).decision).toBe(rethrow);
  });

  it('leaves statements not marked idempotent to the default policy', () => {
    const fallback = new policies.retry.RetryPolicy();
    const cases: [number, number, boolean][] = [
      [1, 2, false],
      [2, 2, false],
      [2, 2, true],
    ];
    for (const [received, blockFor, isDataPresent] of cases) {
      expect(
        policy.onReadTimeout(operation(false, 0), localQuorum, received, blockFor, isDataPresent),
      ).toEqual(
        fallback.onReadTimeout(operation(false, 0), localQuorum, received, blockFor, isDataPresent),
      );
    }
    expect(policy.onWriteTimeout(operation(false, 0), localSerial, 1, 2, 'CAS').decision).toBe(
      rethrow,
    );
  });
});

describe('deleteIfExists', () => {
  const applied = (wasApplied: boolean) => ({ wasApplied: () => wasApplied });
  const casTimeout = () =>
    new DatabaseUnavailableError('cassandra', {
      cause: new errors.ResponseError(types.responseErrorCodes.writeTimeout, 'CAS timed out'),
    });

  /** A run that answers each call with the next of `answers` (an Error is thrown). */
  function runs(...answers: (boolean | Error)[]) {
    const calls = { count: 0 };
    const run = async () => {
      const answer = answers[calls.count++];
      if (answer instanceof Error) throw answer;
      return applied(answer ?? false);
    };
    return { run, calls };
  }

  it("answers the first run's result when it has one", async () => {
    for (const first of [true, false]) {
      const { run, calls } = runs(first);
      await expect(deleteIfExists(run)).resolves.toBe(first);
      expect(calls.count).toBe(1);
    }
  });

  it('after an unknown outcome, counts a second run that finds the row gone as deleted', async () => {
    const { run, calls } = runs(casTimeout(), false);
    await expect(deleteIfExists(run)).resolves.toBe(true);
    expect(calls.count).toBe(2);
  });

  it('after an unknown outcome, counts a second run that applies as deleted', async () => {
    const { run, calls } = runs(casTimeout(), true);
    await expect(deleteIfExists(run)).resolves.toBe(true);
    expect(calls.count).toBe(2);
  });

  it('runs no second time after a failure that applied nothing, and rethrows it', async () => {
    const unavailable = new DatabaseUnavailableError('cassandra', {
      cause: new errors.ResponseError(types.responseErrorCodes.unavailableException, 'no quorum'),
    });
    const { run, calls } = runs(unavailable, true);
    await expect(deleteIfExists(run)).rejects.toBe(unavailable);
    expect(calls.count).toBe(1);
  });

  it('rethrows the second failure', async () => {
    const second = casTimeout();
    const { run } = runs(casTimeout(), second);
    await expect(deleteIfExists(run)).rejects.toBe(second);
  });
});
