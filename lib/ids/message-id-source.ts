/**
 * Message ids for one instance: a worker-slot lease plus the Snowflake generator of that slot.
 *
 * Each id is minted synchronously right after a synchronous lease check, with no await in
 * between, so a Lambda freeze (which only happens between invocations) cannot fall between the
 * check and the mint. When the slot changes, the new generator starts after the last timestamp of
 * the old one, so this instance's ids keep increasing across slots.
 */
import { DatabaseUnavailableError } from '../db/errors';
import { WorkerLeaseUnusableError } from './errors';
import { SnowflakeGenerator } from './snowflake';
import { type Lease, WorkerLease, type WorkerLeaseOptions } from './worker-lease';

/** Leases that come back from ensure() already unusable, tolerated before giving up. */
const MAX_UNUSABLE_LEASES = 3;

export type MessageIdSourceOptions = WorkerLeaseOptions;

/** Mints ids for one instance (one per process or thread; tests build many to simulate a fleet). */
export class MessageIdSource {
  readonly lease: WorkerLease;
  readonly #now: () => number;
  #generator: SnowflakeGenerator | undefined;

  constructor(options: MessageIdSourceOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.lease = new WorkerLease(options);
  }

  /** The worker id of the last id minted (undefined before the first). */
  get workerId(): number | undefined {
    return this.#generator?.workerId;
  }

  /**
   * Mints the next id: leases a slot on first use, renews or moves it when needed (one DynamoDB
   * call at most every half lease), then mints. Rejects with DatabaseUnavailableError when
   * DynamoDB cannot be reached and a lease operation is due.
   */
  async next(): Promise<bigint> {
    let unusable = 0;
    for (;;) {
      try {
        await this.lease.ensure();
      } catch (error) {
        // A renewal that fails (e.g. DynamoDB briefly unreachable) does not take away a lease
        // that is still safe to mint on: keep minting until its margin, then let the error out.
        const held = this.lease.current;
        if (
          !(error instanceof DatabaseUnavailableError) ||
          !held ||
          !this.lease.canMint(held, this.#now())
        ) {
          throw error;
        }
      }
      // Read the lease again: a concurrent call may have moved it while this one awaited.
      const lease = this.lease.current;
      const now = this.#now();
      if (lease && this.lease.canMint(lease, now)) return this.#generatorFor(lease).next();
      if (lease) {
        unusable += 1;
        if (unusable >= MAX_UNUSABLE_LEASES) {
          throw new WorkerLeaseUnusableError(lease.slot, lease.leaseUntil, now);
        }
      }
    }
  }

  #generatorFor(lease: Lease): SnowflakeGenerator {
    const previous = this.#generator;
    if (previous?.workerId === lease.slot) return previous;
    const last = previous?.lastTimestamp;
    this.#generator = new SnowflakeGenerator(lease.slot, {
      now: this.#now,
      ...(last !== undefined && Number.isFinite(last) ? { notBefore: last } : {}),
    });
    return this.#generator;
  }
}
