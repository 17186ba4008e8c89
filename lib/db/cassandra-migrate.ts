/**
 * Applies shared/cassandra-schema.ts to a keyspace: versioned, in order, idempotent.
 *
 * It runs at deploy time and from the local stack, never on a Lambda cold start: DDL is slow,
 * needs schema agreement across the cluster, and on Astra should not race between instances.
 * The keyspace is created only on a self-run cluster; Astra does not allow keyspace DDL over CQL
 * (create it in the Astra console or API).
 */
import type { Client } from 'cassandra-driver';
import {
  type CassandraMigration,
  cassandraMigrations,
  MIGRATIONS_TABLE,
} from '../../shared/cassandra-schema';
import { cassandraClientOptions, cassandraSettings, connectCassandra } from './cassandra';

export interface MigrationReport {
  keyspace: string;
  createdKeyspace: boolean;
  applied: number[];
  alreadyApplied: number[];
}

/** Replication for a keyspace we create: NetworkTopologyStrategy in the local DC, RF up to 3. */
function replicationFor(client: Client, localDataCenter: string): string {
  const nodesInDc = client.hosts.values().filter((h) => h.datacenter === localDataCenter).length;
  const factor = Math.max(1, Math.min(3, nodesInDc));
  return `{'class': 'NetworkTopologyStrategy', '${localDataCenter}': ${factor}}`;
}

/**
 * DDL runs once, so it is sent as it is, not prepared (the client prepares by default). A prepared
 * DDL statement names no keyspace Cassandra records, and every later execution on a session with
 * a keyspace logs "Tried to execute a prepared unqualified statement on a keyspace it was not
 * prepared on" (as the tests' node did for each keyspace they migrate).
 */
const UNPREPARED = { prepare: false } as const;

async function appliedVersions(client: Client, migrationsTable: string): Promise<Set<number>> {
  const result = await client.execute(`SELECT version FROM ${migrationsTable}`);
  return new Set(result.rows.map((row) => Number(row.version)));
}

/** Checks the migration list itself: versions strictly increasing from 1. Pure. */
export function assertMigrationsOrdered(migrations: readonly CassandraMigration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(
        `Cassandra migration #${index} has version ${migration.version}, expected ${index + 1}`,
      );
    }
  });
}

/** Creates the keyspace of a self-run cluster when it is missing; true when it created it. */
async function ensureKeyspace(settings: ReturnType<typeof cassandraSettings>): Promise<boolean> {
  if (settings.kind !== 'cluster') return false;
  const client = await connectCassandra(
    await cassandraClientOptions(settings, { withKeyspace: false }),
  );
  try {
    if (client.metadata.keyspaces[settings.keyspace] !== undefined) return false;
    await client.execute(
      `CREATE KEYSPACE IF NOT EXISTS ${settings.keyspace} WITH replication = ${replicationFor(client, settings.localDataCenter)}`,
      [],
      UNPREPARED,
    );
    return true;
  } finally {
    await client.shutdown();
  }
}

/** Brings a keyspace (by default the configured one) up to the latest schema version. */
export async function migrateCassandra({
  settings = cassandraSettings(),
  migrations = cassandraMigrations,
}: {
  settings?: ReturnType<typeof cassandraSettings>;
  migrations?: readonly CassandraMigration[];
} = {}): Promise<MigrationReport> {
  assertMigrationsOrdered(migrations);
  const createdKeyspace = await ensureKeyspace(settings);
  const client = await connectCassandra(await cassandraClientOptions(settings));
  // Named with its keyspace, as the message store names its tables (see `table` there).
  const migrationsTable = `${settings.keyspace}.${MIGRATIONS_TABLE}`;
  try {
    await client.execute(
      `CREATE TABLE IF NOT EXISTS ${migrationsTable} (
         version int PRIMARY KEY, description text, applied_at timestamp)`,
      [],
      UNPREPARED,
    );
    const done = await appliedVersions(client, migrationsTable);
    const report: MigrationReport = {
      keyspace: settings.keyspace,
      createdKeyspace,
      applied: [],
      alreadyApplied: [],
    };
    for (const migration of migrations) {
      if (done.has(migration.version)) {
        report.alreadyApplied.push(migration.version);
        continue;
      }
      for (const statement of migration.statements) {
        await client.execute(statement, [], UNPREPARED);
      }
      await client.execute(
        `INSERT INTO ${migrationsTable} (version, description, applied_at) VALUES (?, ?, ?)`,
        [migration.version, migration.description, new Date()],
        { prepare: true },
      );
      report.applied.push(migration.version);
    }
    return report;
  } finally {
    await client.shutdown();
  }
}
