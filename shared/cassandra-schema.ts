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
];

/** The table that records which migrations a keyspace has. */
export const MIGRATIONS_TABLE = 'schema_migrations';
