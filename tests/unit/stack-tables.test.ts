import { describe, expect, it } from 'vitest';
import { serverlessTables } from '../../scripts/stack/tables';

describe('serverlessTables (reads the real serverless.yml)', () => {
  it('declares the sessions table, named for the dev stage by default', () => {
    const tables = serverlessTables();
    const sessions = tables.find((t) => t.logicalId === 'SessionsTable');
    expect(sessions).toBeDefined();
    expect(sessions?.envVar).toBe('SESSIONS_TABLE');
    expect(sessions?.input.TableName).toBe('plp-backend-dev-sessions');
    expect(sessions?.input.BillingMode).toBe('PAY_PER_REQUEST');
  });

  it('names the table for the given stage', () => {
    expect(
      serverlessTables('dev').find((t) => t.envVar === 'SESSIONS_TABLE')?.input.TableName,
    ).toBe('plp-backend-dev-sessions');
    expect(
      serverlessTables('prod').find((t) => t.envVar === 'SESSIONS_TABLE')?.input.TableName,
    ).toBe('plp-backend-prod-sessions');
  });

  it('keys the sessions table by pk (HASH, string), with a byUser index for "log out everywhere"', () => {
    const sessions = serverlessTables().find((t) => t.envVar === 'SESSIONS_TABLE');
    expect(sessions?.input.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }]);
    expect(sessions?.input.AttributeDefinitions).toEqual([
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'userId', AttributeType: 'N' },
    ]);
    expect(sessions?.input.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: 'byUser',
        KeySchema: [{ AttributeName: 'userId', KeyType: 'HASH' }],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
    ]);
  });

  it('gives every table a distinct environment variable and a valid DynamoDB name', () => {
    const tables = serverlessTables('dev');
    expect(tables.length).toBeGreaterThanOrEqual(1);
    const envVars = tables.map((t) => t.envVar);
    expect(new Set(envVars).size).toBe(envVars.length);
    for (const table of tables) {
      expect(table.input.TableName).toMatch(/^[A-Za-z0-9_.-]{3,255}$/);
      expect(table.input.TableName).not.toContain('${');
    }
  });
});
