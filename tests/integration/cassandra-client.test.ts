/** lib/db/cassandra.ts and the schema migrator against the real engine. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DseClientOptions, types } from 'cassandra-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { config } from '../../lib/config';
import { closeCassandra, getCassandra, pingCassandra, withCassandra } from '../../lib/db/cassandra';
import { migrateWith } from '../../scripts/stack';
import { paths } from '../../scripts/stack/paths';
import { cassandraMigrations } from '../../shared/cassandra-schema';
import { type IsolatedEnv, useIsolatedEnv } from '../helpers/isolated-env';

describe('cassandra client', () => {
  let isolated: IsolatedEnv;
  beforeAll(async () => {
    isolated = await useIsolatedEnv('cassandra-client');
  });
  afterAll(closeCassandra);

  it('uses the per-file keyspace, LOCAL_QUORUM and prepared statements by default', async () => {
    const client = await getCassandra();
    // `options` is public at run time but missing from the driver's type declarations.
    const { queryOptions } = (client as unknown as { options: DseClientOptions }).options;
    expect(client.keyspace).toBe(isolated.id);
    expect(queryOptions?.consistency).toBe(types.consistencies.localQuorum);
    expect(queryOptions?.prepare).toBe(true);
  });

  it('writes a row and reads it back', async () => {
    const id = `c-${Date.now()}`;
    const row = await withCassandra(async (client) => {
      await client.execute(
        'INSERT INTO connectivity_checks (id, source, written_at) VALUES (?, ?, ?) USING TTL 600',
        [id, 'integration', new Date()],
      );
      return (
        await client.execute('SELECT source FROM connectivity_checks WHERE id = ?', [id])
      ).first();
    });
    expect(row?.source).toBe('integration');
  });

  it('keeps one client and its connections across calls', async () => {
    await pingCassandra();
    const client = await getCassandra();
    const host = client.hosts.values()[0];
    if (!host) throw new Error('no host known to the driver');
    const before = client.getState().getOpenConnections(host);
    await pingCassandra();
    await pingCassandra();
    expect(await getCassandra()).toBe(client);
    expect(before).toBeGreaterThan(0);
    expect(client.getState().getOpenConnections(host)).toBe(before);
  });

  it('applies each migration once: a second run changes nothing', async () => {
    const again = await migrateWith(isolated.env);
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied).toEqual(cassandraMigrations.map((m) => m.version));
    expect(again.createdKeyspace).toBe(false);
    const versions = await withCassandra(async (client) =>
      (await client.execute('SELECT version FROM schema_migrations')).rows.map((r) => r.version),
    );
    expect(versions.sort()).toEqual(cassandraMigrations.map((m) => m.version));
    expect(config().cassandra?.keyspace).toBe(isolated.id);
  });

  it('leaves no "prepared unqualified statement" error in the node\'s log for its keyspace', async () => {
    // The keyspace was migrated by useIsolatedEnv and used by the tests above; migrate it again
    // (the migrator's statements run on a session in the keyspace) and use it once more.
    await migrateWith(isolated.env);
    await pingCassandra();
    await closeCassandra();
    // Cassandra writes it here when this checkout's stack started it (scripts/stack/cassandra.ts).
    const log = join(paths.logs, 'cassandra-system.log');
    if (!existsSync(log)) throw new Error(`${log} is missing: is Cassandra this checkout's?`);
    // Its logger writes asynchronously.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const errors = readFileSync(log, 'utf8')
      .split('\n')
      .filter(
        (line) => line.includes('unqalified') && line.includes(`on keyspace ${isolated.id},`),
      );
    expect(errors).toEqual([]);
  });
});
