/**
 * Read positions: what both message stores keep so that an unread count stays exact and cheap.
 *
 * The position p of (channel, user) says: every message of the channel with id <= p is by the user
 * or has the user in readBy (a contiguous read prefix). It is a cache derived from readBy, always
 * safe to be behind and never ahead, so a count of "messages by others without the user in
 * readBy" can skip everything up to p and stay exact. Marking a message read still reads that one
 * message only; afterwards the store moves p over the read prefix above it (markRead), and a count
 * that saw every message above p moves p up to the highest one below its lowest unread (heals
 * marks that arrived out of order, and positions a migrated store starts without).
 *
 * Why p is safe under concurrency: p only moves by compare-and-set upwards, each time to the end
 * of a prefix that was seen read after the write it follows. A message seen read stays read
 * (readBy only grows; a deleted one no longer counts), and a message not yet stored when the
 * prefix was scanned cannot land below p afterwards thanks to the settle margin below. So every
 * value ever written is a valid prefix end, and the maximum of valid prefix ends is one too.
 * Concurrent marks: each scans after its own readBy write, so the mark whose write landed last
 * sees every mark's write; whatever order the compare-and-sets land in, p ends at the highest.
 */
import { DatabaseUnavailableError, type Engine } from '../../db/errors';
import { lowestSnowflakeAt, SNOWFLAKE_EPOCH_MS, snowflakeTime } from '../../ids';

/**
 * p never moves past a message minted less than this long ago. A message minted at t must
 * therefore be stored before t plus this margin or never: its store's `create` checks the id's
 * age immediately before sending the insert and refuses a late one (assertInsertInTime). The
 * function's timeout alone does not bound it: the HTTP stack answers 503 before the timeout
 * while the work goes on, and a Lambda frozen with the insert pending resumes it at its next
 * invocation, minutes later, with the old id. Moving p only over older messages means no message
 * can be stored below p after p moved (clocks of Lambda instances agree to well under a second).
 * The price: a count re-reads up to this much of the newest history, each message of it read, a
 * handful in a class channel. Messages written with an older id by the Mongo-to-Cassandra
 * migration (`put`) are the exception: they go into a store before its users count or mark there.
 */
export const READ_SETTLE_MS = 30_000;

/**
 * How much of the settle margin an insert may still need after its age was checked: the driver's
 * own steps before the bytes leave (pool checkout, statement preparation), the network, a driver
 * retry of the idempotent insert, and the clock difference between the writing and the reading
 * instance. An insert sent later than settleMs minus this is refused rather than risked.
 */
export const LATE_INSERT_SLACK_MS = 10_000;

/** A mark moves p over at most this many messages; the next mark (or a count) goes on. */
export const MAX_ADVANCE_ROWS = 500;

export interface ReadPositionOptions {
  /**
   * See READ_SETTLE_MS; tests shorten it rather than wait. It bounds both sides: how recent a
   * message p may pass, and how old a message `create` may still insert (a margin under
   * LATE_INSERT_SLACK_MS makes every create late, which is how tests see the refusal).
   */
  settleMs: number;
}

export const defaultReadPositionOptions: ReadPositionOptions = { settleMs: READ_SETTLE_MS };

/**
 * Throws DatabaseUnavailableError (503: the client was told nothing and may retry) when the
 * message `id` is too old to be inserted without possibly landing below a read position already
 * moved past it (READ_SETTLE_MS). Call it synchronously right before sending the insert, with no
 * await in between, so no freeze can fall between the check and the send.
 */
export function assertInsertInTime(
  { settleMs }: ReadPositionOptions,
  id: bigint,
  engine: Engine,
  now = Date.now(),
): void {
  const age = now - snowflakeTime(id);
  if (age > settleMs - LATE_INSERT_SLACK_MS) {
    throw new DatabaseUnavailableError(engine, {
      cause: new Error(
        `message minted ${age} ms ago is too late to insert (settle ${settleMs} ms)`,
      ),
    });
  }
}

/** The highest id p may reach now: the last id any worker could have minted settleMs ago. */
export function settledUpTo({ settleMs }: ReadPositionOptions, now = Date.now()): bigint {
  const after = now - settleMs + 1;
  return after <= SNOWFLAKE_EPOCH_MS ? -1n : lowestSnowflakeAt(after) - 1n;
}

/**
 * The end of the read prefix among `rows` (the channel's messages above p, oldest first): the last
 * row before the first one the user has not read, after at most MAX_ADVANCE_ROWS rows. Stops
 * reading `rows` there.
 */
export async function readPrefixEnd(
  rows: AsyncIterable<{ id: bigint; read: boolean }>,
): Promise<bigint | undefined> {
  let end: bigint | undefined;
  let passed = 0;
  for await (const row of rows) {
    if (!row.read || passed >= MAX_ADVANCE_ROWS) break;
    end = row.id;
    passed += 1;
  }
  return end;
}
