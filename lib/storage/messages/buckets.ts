/**
 * Time buckets of the Cassandra message partitions.
 *
 * A partition is (channel_id, bucket); the bucket is the Snowflake's time divided into 10-day
 * windows (Discord's choice). Sizing, from the Astra guidance to keep partitions under 100 MB: a
 * message row is ~1 KB at most (4,000-character content plus a few ids and read marks), so a 10-day
 * partition stays under 100 MB up to ~10,000 messages a day in one channel — far beyond a class
 * channel, while a quiet channel still gets only ~37 partitions a year to walk through.
 */
import { SNOWFLAKE_EPOCH_MS, snowflakeTime } from '../../ids';

export const BUCKET_MS = 10 * 24 * 60 * 60 * 1_000;

/** The bucket of the message with this id. */
export function bucketOf(id: bigint): number {
  return Math.floor((snowflakeTime(id) - SNOWFLAKE_EPOCH_MS) / BUCKET_MS);
}
