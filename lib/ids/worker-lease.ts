/**
 * A lease on one of the 1,024 Snowflake worker slots, held in the DynamoDB worker-leases table
 * (one item per slot: {slot, owner, leaseUntil, ttl}).
 *
 * Why a lease and not a hash of the instance: 1,024 hashed slots already collide with 1 % odds at
 * 6 live instances and 50 % at 38, and two instances minting on one worker id produce duplicate
 * ids. The hash only picks where to start probing; a conditional PutItem makes the claim.
 *
 * Rules that keep ids unique (each enforced below):
 * - A slot is claimed only when free, expired by the claimant's clock, or already ours.
 * - Ids minted under a lease are timestamped before `leaseUntil - safetyMargin` (callers check
 *   `canMint` right before minting), while the next owner's ids are timestamped after
 *   `leaseUntil`, when it could claim the slot. The margin keeps the two apart even when the
 *   instances' clocks disagree or one is stepped, and covers the gap between check and mint.
 * - Renewal is fenced on `owner = me AND leaseUntil = the value we wrote`: if someone took the slot
 *   after our lease expired (e.g. while this Lambda was frozen), renewal fails and we move on.
 * - Nothing runs on a timer (timers do not run while a Lambda is frozen): the lease is checked on
 *   every mint, and renewed there once less than half of it remains.
 * - There is no "release": deleting the item would let the next owner mint right away, with a
 *   clock that may be behind ours, over timestamps we already used. An idle slot simply expires.
 *
 * Expiry is decided in code from `leaseUntil` (ms); `ttl` (s) only lets DynamoDB delete dead items
 * eventually (dynalite, the local engine, never does, which changes nothing here).
 */
import { createHash, randomBytes } from 'node:crypto';
import { isMainThread, threadId } from 'node:worker_threads';
import { config } from '../config';
import { isConditionFailed, withDynamo } from '../db/dynamo';
import { type Logger, logger as processLogger } from '../logger';
import { NoWorkerSlotError } from './errors';
import { WORKER_ID_COUNT } from './snowflake';

/** Default lease: far longer than the longest function timeout (30 s), so renewals are rare. */
export const DEFAULT_LEASE_MS = 10 * 60_000;
/** Default margin: minting on a slot stops this long before its lease ends. */
export const DEFAULT_SAFETY_MARGIN_MS = 30_000;

/** A lease this instance holds. */
export interface Lease {
  /** The worker id, 0..1023. */
  slot: number;
  owner: string;
  /** End of the lease, ms since 1970, as written to DynamoDB (the renewal fence compares it). */
  leaseUntil: number;
}

export interface WorkerLeaseOptions {
  /** Who we are in the table; default instanceIdentity(). */
  identity?: string;
  /** The clock, in ms since 1970; default Date.now. */
  now?: () => number;
  /** Lease duration; default DEFAULT_LEASE_MS. */
  leaseMs?: number;
  /** Stop minting this long before the lease ends; default DEFAULT_SAFETY_MARGIN_MS. */
  safetyMarginMs?: number;
  /** Table name; default config().dynamo.workerLeasesTable (read on first use). */
  tableName?: string;
  logger?: Logger;
}

let processIdentity: string | undefined;

/**
 * This execution environment's name in the lease table: the Lambda log stream name (one per
 * environment, for its whole life), else a local pid plus random hex; with the thread id appended
 * off the main thread, since each thread runs its own generator. Computed on first use, not at
 * module load, so a SnapStart snapshot never carries one identity into many environments.
 */
export function instanceIdentity(): string {
  if (processIdentity === undefined) {
    const base =
      process.env.AWS_LAMBDA_LOG_STREAM_NAME ||
      `local-${process.pid}-${randomBytes(6).toString('hex')}`;
    processIdentity = isMainThread ? base : `${base}#thread-${threadId}`;
  }
  return processIdentity;
}

/** The slot an identity starts probing from: sha256(identity) mod 1024. */
export function startSlotFor(identity: string): number {
  return createHash('sha256').update(identity).digest().readUInt32BE(0) % WORKER_ID_COUNT;
}

/**
 * `owner` is a DynamoDB reserved word, so conditions name every attribute by placeholder; DynamoDB
 * rejects placeholders a condition does not use, hence only those present.
 */
const ATTRIBUTE_NAMES = { '#slot': 'slot', '#owner': 'owner', '#leaseUntil': 'leaseUntil' };

function attributeNamesIn(condition: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(ATTRIBUTE_NAMES).filter(([placeholder]) => condition.includes(placeholder)),
  );
}

/** The worker-id lease of one instance. Not shared between threads. */
export class WorkerLease {
  readonly identity: string;
  readonly leaseMs: number;
  readonly safetyMarginMs: number;
  readonly #now: () => number;
  readonly #tableName: string | undefined;
  readonly #logger: Logger;
  #lease: Lease | undefined;
  /** The renewal or acquisition in flight; concurrent callers share it. */
  #refreshing: Promise<Lease> | undefined;

  constructor(options: WorkerLeaseOptions = {}) {
    this.identity = options.identity ?? instanceIdentity();
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.safetyMarginMs = options.safetyMarginMs ?? DEFAULT_SAFETY_MARGIN_MS;
    this.#now = options.now ?? Date.now;
    this.#tableName = options.tableName;
    this.#logger = options.logger ?? processLogger;
    // Renewal starts at half the lease; minting must still be allowed then, or every renewal
    // would stall minting.
    if (!(this.safetyMarginMs >= 0 && this.safetyMarginMs < this.leaseMs / 2)) {
      throw new RangeError(
        `safety margin (${this.safetyMarginMs} ms) must be >= 0 and < half the lease (${this.leaseMs} ms)`,
      );
    }
  }

  /** The lease held now, if any (it may have expired: see canMint). */
  get current(): Lease | undefined {
    return this.#lease;
  }

  /** True when ids may be minted on `lease` at time `now`: before leaseUntil - margin. */
  canMint(lease: Lease, now: number = this.#now()): boolean {
    return now < lease.leaseUntil - this.safetyMarginMs;
  }

  /**
   * Returns a lease to mint with: the current one without any DynamoDB call while more than half
   * of it remains; otherwise renewed (fenced), or a new slot when renewal finds it taken.
   */
  ensure(): Promise<Lease> {
    const lease = this.#lease;
    if (lease && this.#now() < lease.leaseUntil - this.leaseMs / 2) return Promise.resolve(lease);
    // Memoised before it is awaited (concurrent callers share one round trip), and cleared when
    // it settles, so a failure (DynamoDB down) is retried by the next call.
    this.#refreshing ??= this.#refresh().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async #refresh(): Promise<Lease> {
    const lease = this.#lease;
    if (lease) {
      const renewed = await this.renew(lease);
      if (renewed) return renewed;
      this.#logger.warn('worker slot taken over by another instance; leasing another', {
        slot: lease.slot,
        leaseUntil: lease.leaseUntil,
        now: this.#now(),
      });
    }
    return this.acquire();
  }

  /**
   * Claims a slot: probes from this identity's start slot upwards (mod 1024) with one conditional
   * PutItem per slot. Throws NoWorkerSlotError when all 1,024 are held by live leases.
   */
  async acquire(): Promise<Lease> {
    this.#lease = undefined;
    const start = startSlotFor(this.identity);
    for (let i = 0; i < WORKER_ID_COUNT; i += 1) {
      const slot = (start + i) % WORKER_ID_COUNT;
      const now = this.#now();
      const lease = { slot, owner: this.identity, leaseUntil: now + this.leaseMs };
      const claimed = await this.#put(
        lease,
        'attribute_not_exists(#slot) OR #leaseUntil < :now OR #owner = :me',
        { ':now': now, ':me': this.identity },
      );
      if (claimed) {
        this.#lease = lease;
        return lease;
      }
    }
    throw new NoWorkerSlotError(WORKER_ID_COUNT);
  }

  /**
   * Extends `lease` if it is still ours, fenced on the exact leaseUntil we wrote. Resolves to the
   * renewed lease, or undefined when another instance has taken the slot since (then we hold none).
   */
  async renew(lease: Lease): Promise<Lease | undefined> {
    const renewed = { ...lease, leaseUntil: this.#now() + this.leaseMs };
    const ok = await this.#put(renewed, '#owner = :me AND #leaseUntil = :ours', {
      ':me': this.identity,
      ':ours': lease.leaseUntil,
    });
    if (this.#lease === lease) this.#lease = ok ? renewed : undefined;
    return ok ? renewed : undefined;
  }

  /** One conditional PutItem of the slot's item; false when the condition does not hold. */
  async #put(
    lease: Lease,
    condition: string,
    values: Record<string, string | number>,
  ): Promise<boolean> {
    try {
      await withDynamo((dynamo, { PutCommand }) =>
        dynamo.send(
          new PutCommand({
            TableName: this.#tableName ?? config().dynamo.workerLeasesTable,
            Item: { ...lease, ttl: Math.ceil(lease.leaseUntil / 1000) },
            ConditionExpression: condition,
            ExpressionAttributeNames: attributeNamesIn(condition),
            ExpressionAttributeValues: values,
          }),
        ),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }
}
