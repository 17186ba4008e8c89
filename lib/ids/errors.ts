/** Typed failures of Snowflake id generation, parsing and worker-id leasing. */

/**
 * The clock reads earlier than the last id's timestamp (an NTP step, a VM migration). Minting now
 * could repeat an id already handed out, so nothing is minted; the caller fails the request.
 */
export class ClockMovedBackwardsError extends Error {
  override readonly name = 'ClockMovedBackwardsError';
  constructor(
    /** The last timestamp (ms since 1970) this generator used, or the `notBefore` it was given. */
    readonly lastMs: number,
    /** What the clock read instead. */
    readonly nowMs: number,
  ) {
    super(`clock moved backwards by ${lastMs - nowMs} ms; refusing to mint ids`);
  }
}

/**
 * A time that cannot be put in the 41-bit timestamp field: before the Snowflake epoch
 * (2024-01-01), after its end (2093-09-06), or not a whole number of milliseconds.
 */
export class SnowflakeTimeOutOfRangeError extends Error {
  override readonly name = 'SnowflakeTimeOutOfRangeError';
  constructor(readonly ms: number) {
    super(`time ${ms} is outside the Snowflake range (2024-01-01 .. 2093-09-06, whole ms)`);
  }
}

/** Text or a bigint that is not a Snowflake id (canonical decimal, 0 .. 2^63-1). */
export class InvalidSnowflakeError extends Error {
  override readonly name = 'InvalidSnowflakeError';
  constructor(readonly input: string) {
    // Inputs come from clients: quote a bounded prefix only, never an unbounded string.
    super(`not a Snowflake id: ${JSON.stringify(input.slice(0, 40))}`);
  }
}

/** Every one of the 1,024 worker slots is held by a live lease; this instance cannot mint ids. */
export class NoWorkerSlotError extends Error {
  override readonly name = 'NoWorkerSlotError';
  constructor(readonly slots: number) {
    super(`all ${slots} Snowflake worker slots are leased`);
  }
}

/**
 * A lease that was just renewed or acquired is already too close to its end to mint with: the
 * clock jumps forward faster than DynamoDB answers. Minting would risk sharing a slot.
 */
export class WorkerLeaseUnusableError extends Error {
  override readonly name = 'WorkerLeaseUnusableError';
  constructor(
    readonly slot: number,
    readonly leaseUntil: number,
    readonly nowMs: number,
  ) {
    super(`worker lease on slot ${slot} ends at ${leaseUntil} but the clock reads ${nowMs}`);
  }
}
