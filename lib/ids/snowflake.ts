/**
 * 64-bit Snowflake ids for chat messages: unique across instances, ordered by time.
 *
 * Layout, most significant bit first (Twitter's 2010 layout with our own epoch):
 *
 *   | 1 bit: 0 | 41 bits: ms since 2024-01-01T00:00:00.000Z | 10 bits: worker id | 12 bits: seq |
 *
 * - The sign bit stays 0, so every id is a non-negative signed 64-bit integer: Cassandra `bigint`
 *   and Java `long` hold it as is, and numeric order is time order.
 * - 41 bits of milliseconds cover 2^41 ms = ~69.7 years: from the epoch 1704067200000
 *   (2024-01-01, shortly before the first message of this system) to 2093-09-06. A recent epoch
 *   spends none of that range on years before any id existed.
 * - 10 bits of worker id (0..1023): the slot this instance leases (worker-lease.ts); two live
 *   instances never hold the same slot, so their ids never collide.
 * - 12 bits of sequence (0..4095): ids minted in the same millisecond by the same worker. The 4,097th
 *   id of a millisecond waits for the next one; wrapping would repeat the first id of the ms.
 *
 * Ids are `bigint` in code and decimal strings at the API edge (JSON numbers lose precision above
 * 2^53). Never convert one to a JS number.
 */
import { MAX_SNOWFLAKE, SNOWFLAKE_TEXT } from '../../shared/schema';
import {
  ClockMovedBackwardsError,
  InvalidSnowflakeError,
  SnowflakeTimeOutOfRangeError,
} from './errors';

/** 2024-01-01T00:00:00.000Z in ms since 1970: time 0 of the 41-bit timestamp field. */
export const SNOWFLAKE_EPOCH_MS = 1_704_067_200_000;

const TIME_BITS = 41;
const WORKER_BITS = 10;
const SEQUENCE_BITS = 12;
const WORKER_SHIFT = BigInt(SEQUENCE_BITS);
const TIME_SHIFT = BigInt(WORKER_BITS + SEQUENCE_BITS);

/** Number of worker ids (leasable slots): 1,024. */
export const WORKER_ID_COUNT = 2 ** WORKER_BITS;
/** Largest worker id: 1023. */
export const MAX_WORKER_ID = WORKER_ID_COUNT - 1;
/** Largest sequence number within one millisecond: 4095. */
export const MAX_SEQUENCE = 2 ** SEQUENCE_BITS - 1;
/** Largest id, 2^63 - 1, and the one spelling of an id: defined with the API's id rule. */
export { MAX_SNOWFLAKE } from '../../shared/schema';
/** Last millisecond (since 1970) the timestamp field can hold: 2093-09-06T15:47:35.551Z. */
export const MAX_SNOWFLAKE_TIME_MS = SNOWFLAKE_EPOCH_MS + 2 ** TIME_BITS - 1;

function assertTime(ms: number): void {
  if (!Number.isInteger(ms) || ms < SNOWFLAKE_EPOCH_MS || ms > MAX_SNOWFLAKE_TIME_MS) {
    throw new SnowflakeTimeOutOfRangeError(ms);
  }
}

function assertWorkerId(workerId: number): void {
  if (!Number.isInteger(workerId) || workerId < 0 || workerId > MAX_WORKER_ID) {
    throw new RangeError(`worker id must be an integer in 0..${MAX_WORKER_ID}, got ${workerId}`);
  }
}

function assertSnowflake(id: bigint): void {
  if (typeof id !== 'bigint' || id < 0n || id > MAX_SNOWFLAKE) {
    throw new InvalidSnowflakeError(String(id));
  }
}

/** Composes an id from its three fields; throws when a field is out of range. */
export function makeSnowflake(timeMs: number, workerId: number, sequence: number): bigint {
  assertTime(timeMs);
  assertWorkerId(workerId);
  if (!Number.isInteger(sequence) || sequence < 0 || sequence > MAX_SEQUENCE) {
    throw new RangeError(`sequence must be an integer in 0..${MAX_SEQUENCE}, got ${sequence}`);
  }
  return (
    (BigInt(timeMs - SNOWFLAKE_EPOCH_MS) << TIME_SHIFT) |
    (BigInt(workerId) << WORKER_SHIFT) |
    BigInt(sequence)
  );
}

/** The time an id was minted, in ms since 1970. */
export function snowflakeTime(id: bigint): number {
  assertSnowflake(id);
  // The 41-bit field is far below 2^53: this number is exact (unlike the whole id).
  return Number(id >> TIME_SHIFT) + SNOWFLAKE_EPOCH_MS;
}

/** The worker id (leased slot, 0..1023) of the instance that minted an id. */
export function snowflakeWorker(id: bigint): number {
  assertSnowflake(id);
  return Number((id >> WORKER_SHIFT) & BigInt(MAX_WORKER_ID));
}

/** The sequence number (0..4095) of an id within its worker's millisecond. */
export function snowflakeSequence(id: bigint): number {
  assertSnowflake(id);
  return Number(id & BigInt(MAX_SEQUENCE));
}

/** The smallest id any worker can mint at `ms`: `id >= lowestSnowflakeAt(t)` means "at or after t". */
export function lowestSnowflakeAt(ms: number): bigint {
  return makeSnowflake(ms, 0, 0);
}

/** The id as the API sends it: canonical decimal text. */
export function formatSnowflake(id: bigint): string {
  assertSnowflake(id);
  return id.toString(10);
}

/**
 * Parses an id received from a client. Only canonical decimal is accepted: 1..19 ASCII digits,
 * no sign, spaces, exponent or leading zeros ("0" itself is valid), at most 2^63 - 1. Rejecting
 * leading zeros keeps one spelling per id, so ids compared, cached or deduplicated as strings agree.
 */
export function parseSnowflake(text: string): bigint {
  if (typeof text !== 'string' || !SNOWFLAKE_TEXT.test(text)) {
    throw new InvalidSnowflakeError(String(text));
  }
  const id = BigInt(text);
  if (id > MAX_SNOWFLAKE) throw new InvalidSnowflakeError(text);
  return id;
}

export interface SnowflakeGeneratorOptions {
  /** The clock, in ms since 1970. Injectable for tests. */
  now?: () => number;
  /**
   * The last timestamp used by the previous generator of this instance (on another worker id).
   * Every id of this generator gets a later timestamp, so the instance's ids keep increasing.
   */
  notBefore?: number;
}

/**
 * Mints ids for one worker id. Synchronous and single-threaded by design: one generator per
 * instance (per thread), never shared across threads.
 */
export class SnowflakeGenerator {
  readonly workerId: number;
  readonly #now: () => number;
  readonly #workerBits: number;
  #lastMs: number;
  #timeBits = 0n;
  #sequence: number;

  constructor(workerId: number, { now = Date.now, notBefore }: SnowflakeGeneratorOptions = {}) {
    assertWorkerId(workerId);
    if (notBefore !== undefined && !Number.isSafeInteger(notBefore)) {
      throw new RangeError(`notBefore must be a whole number of ms, got ${notBefore}`);
    }
    this.workerId = workerId;
    this.#now = now;
    this.#workerBits = workerId << SEQUENCE_BITS;
    this.#lastMs = notBefore ?? Number.NEGATIVE_INFINITY;
    // The millisecond `notBefore` counts as used up: the first id must come from a later one.
    this.#sequence = MAX_SEQUENCE;
  }

  /** The timestamp (ms since 1970) of the last id minted, else `notBefore`, else -Infinity. */
  get lastTimestamp(): number {
    return this.#lastMs;
  }

  /**
   * Mints the next id. Throws ClockMovedBackwardsError (minting nothing) when the clock reads
   * before the last id's time; after 4,096 ids in one millisecond, spins until the next one.
   */
  next(): bigint {
    let now = this.#readClock();
    if (now === this.#lastMs) {
      if (this.#sequence < MAX_SEQUENCE) {
        this.#sequence += 1;
        return this.#timeBits | BigInt(this.#workerBits | this.#sequence);
      }
      now = this.#waitForNextMs();
    }
    this.#lastMs = now;
    this.#timeBits = BigInt(now - SNOWFLAKE_EPOCH_MS) << TIME_SHIFT;
    this.#sequence = 0;
    return this.#timeBits | BigInt(this.#workerBits);
  }

  /** Reads the clock; at or after the last timestamp, inside the 41-bit range. */
  #readClock(): number {
    const now = this.#now();
    assertTime(now);
    if (now < this.#lastMs) throw new ClockMovedBackwardsError(this.#lastMs, now);
    return now;
  }

  /**
   * Busy-waits for the clock to pass the last timestamp. At most ~1 ms of the event loop: a timer
   * would wait >= 1 ms plus scheduling, and 4,096 ids in one ms already means a hot loop.
   */
  #waitForNextMs(): number {
    let now = this.#readClock();
    while (now <= this.#lastMs) now = this.#readClock();
    return now;
  }
}
