import { describe, expect, it } from 'vitest';
import { assertMigrationsOrdered } from '../../lib/db/cassandra-migrate';
import {
  type CassandraMigration,
  cassandraMigrations,
  MIGRATIONS_TABLE,
} from '../../shared/cassandra-schema';

const migration = (version: number): CassandraMigration => ({
  version,
  description: `v${version}`,
  statements: [`CREATE TABLE IF NOT EXISTS t${version} (id text PRIMARY KEY)`],
});

const statements = cassandraMigrations.flatMap((m) =>
  m.statements.map((statement) => ({ version: m.version, statement })),
);

describe('assertMigrationsOrdered', () => {
  it('accepts the shipped migration list', () => {
    expect(() => assertMigrationsOrdered(cassandraMigrations)).not.toThrow();
  });

  it('accepts versions 1..n in order', () => {
    expect(() => assertMigrationsOrdered([migration(1), migration(2), migration(3)])).not.toThrow();
  });

  it('throws when the list does not start at 1', () => {
    expect(() => assertMigrationsOrdered([migration(2)])).toThrow(
      'Cassandra migration #0 has version 2, expected 1',
    );
  });

  it('throws for a gap, a duplicate and a wrong order', () => {
    expect(() => assertMigrationsOrdered([migration(1), migration(3)])).toThrow(
      'has version 3, expected 2',
    );
    expect(() => assertMigrationsOrdered([migration(1), migration(1)])).toThrow(
      'has version 1, expected 2',
    );
    expect(() => assertMigrationsOrdered([migration(2), migration(1)])).toThrow('expected 1');
  });
});

describe('the shipped Cassandra schema', () => {
  it('has versions 1..n, each with a description and at least one statement', () => {
    expect(cassandraMigrations.length).toBeGreaterThanOrEqual(1);
    cassandraMigrations.forEach((m, index) => {
      expect(m.version).toBe(index + 1);
      expect(m.description.trim()).not.toBe('');
      expect(m.statements.length).toBeGreaterThanOrEqual(1);
    });
  });

  it('uses a plain, unqualified migrations table name', () => {
    expect(MIGRATIONS_TABLE).toMatch(/^[a-z][a-z0-9_]*$/);
  });

  it.each(statements)('v$version statement is idempotent (IF NOT EXISTS)', ({ statement }) => {
    expect(statement).toMatch(/^\s*(CREATE|ALTER)\s/i);
    if (/^\s*CREATE\s/i.test(statement)) {
      expect(statement).toMatch(/^\s*CREATE\s+(TABLE|TYPE)\s+IF\s+NOT\s+EXISTS\s/i);
    }
  });

  it.each(statements)('v$version statement names no keyspace', ({ statement }) => {
    const created = /\b(?:TABLE|TYPE)\s+IF\s+NOT\s+EXISTS\s+("?[\w]+"?(?:\."?[\w]+"?)?)/i.exec(
      statement,
    );
    expect(created?.[1]).toBeDefined();
    expect(created?.[1]).not.toContain('.');
    // No keyspace.table reference anywhere in the statement.
    expect(statement).not.toMatch(/\b[A-Za-z_]\w*\.[A-Za-z_]\w*\b/);
  });

  it.each(statements)('v$version statement avoids features Astra rejects', ({ statement }) => {
    expect(statement).not.toMatch(/ALLOW\s+FILTERING/i);
    expect(statement).not.toMatch(/CREATE\s+(CUSTOM\s+)?INDEX/i);
    expect(statement).not.toMatch(/MATERIALIZED\s+VIEW/i);
    expect(statement).not.toMatch(/\bKEYSPACE\b/i);
  });
});
