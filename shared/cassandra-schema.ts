/**
 * The Cassandra schema as an ordered list of migrations.
 *
 * Rules every statement follows, so it runs unchanged on Astra DB: it is idempotent
 * (`IF NOT EXISTS`), names no keyspace (the migrator connects to it), sets no table options Astra
 * ignores, and creates no legacy secondary index or materialized view. A released migration is
 * never edited; a change is a new version.
 */

export interface CassandraMigration {
  /** Strictly increasing, starting at 1. */
  version: number;
  description: string;
  statements: string[];
}

export const cassandraMigrations: readonly CassandraMigration[] = [
  {
    version: 1,
    description: 'connectivity checks written by scripts/test-db',
    statements: [
      `CREATE TABLE IF NOT EXISTS connectivity_checks (
         id text PRIMARY KEY,
         source text,
         written_at timestamp
       )`,
    ],
  },
  {
    version: 2,
    description: 'chat messages: time-bucketed partitions, the buckets each channel uses, pins',
    statements: [
      // One partition per channel and 10-day bucket (see lib/storage/messages/buckets.ts), newest
      // first. created_at is not stored: it is the Snowflake's time. read_by is a set, so a repeated
      // read mark is idempotent. Pins live in channel_pins, not here (one source of truth).
      `CREATE TABLE IF NOT EXISTS messages (
         channel_id bigint,
         bucket int,
         message_id bigint,
         author_id bigint,
         content text,
         type text,
         file_url text,
         is_homework boolean,
         grading_status text,
         read_by set<bigint>,
         PRIMARY KEY ((channel_id, bucket), message_id)
       ) WITH CLUSTERING ORDER BY (message_id DESC)`,
      // The non-empty buckets of each channel, newest first: history paging skips empty ones.
      `CREATE TABLE IF NOT EXISTS channel_buckets (
         channel_id bigint,
         bucket int,
         PRIMARY KEY (channel_id, bucket)
       ) WITH CLUSTERING ORDER BY (bucket DESC)`,
      // At most 50 pins per channel: a pin takes one of 50 slots with an LWT insert, so the cap
      // holds under concurrent pins.
      `CREATE TABLE IF NOT EXISTS channel_pin_slots (
         channel_id bigint,
         slot int,
         message_id bigint,
         PRIMARY KEY (channel_id, slot)
       )`,
    ],
  },
  {
    version: 3,
    description: 'pin claims: one row per pinned message, so a double pin takes one slot',
    statements: [
      // "This message is pinned", claimed with an LWT insert before a slot is taken: concurrent
      // pins of one message agree on this one row. `slot` is the slot the claim has chosen (-1:
      // none yet) and moves only by compare-and-set, so a message is given one slot at a time.
      `CREATE TABLE IF NOT EXISTS channel_pins (
         channel_id bigint,
         message_id bigint,
         slot int,
         PRIMARY KEY (channel_id, message_id)
       )`,
    ],
  },
  {
    version: 4,
    description: 'read positions: per channel and user, the end of the run of messages read',
    statements: [
      // Every message up to read_up_to is the user's own or in their read_by (a cache of read_by,
      // lib/storage/messages/read-position.ts), so an unread count reads only newer messages.
      // One row per (channel, user); it only moves forward (LWT compare-and-set).
      `CREATE TABLE IF NOT EXISTS channel_read_positions (
         channel_id bigint,
         user_id bigint,
         read_up_to bigint,
         PRIMARY KEY ((channel_id, user_id))
       )`,
    ],
  },
];

/** The table that records which migrations a keyspace has. */
export const MIGRATIONS_TABLE = 'schema_migrations';
