/** lib/db/dynamo.ts against the real engine (dynalite locally, or DYNAMODB_ENDPOINT). */
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { config } from '../../lib/config';
import {
  closeDynamo,
  dynamoSocketStats,
  getDynamo,
  pingDynamo,
  withDynamo,
} from '../../lib/db/dynamo';
import { useIsolatedEnv } from '../helpers/isolated-env';

describe('dynamodb client', () => {
  beforeAll(async () => {
    await useIsolatedEnv('dynamo-client', { cassandra: false });
  });
  afterAll(closeDynamo);

  it('writes an item and reads it back (consistent read)', async () => {
    const TableName = config().dynamo.sessionsTable;
    const pk = `roundtrip#${Date.now()}`;
    const item = await withDynamo(async (dynamo) => {
      await dynamo.send(
        new PutCommand({ TableName, Item: { pk, userId: 7, tags: new Set(['a']) } }),
      );
      const { Item } = await dynamo.send(
        new GetCommand({ TableName, Key: { pk }, ConsistentRead: true }),
      );
      await dynamo.send(new DeleteCommand({ TableName, Key: { pk } }));
      return Item;
    });
    expect(item).toEqual({ pk, userId: 7, tags: new Set(['a']) });
  });

  it('reuses the client and its keep-alive socket across calls', async () => {
    await pingDynamo();
    const client = await getDynamo();
    const opened = dynamoSocketStats.opened;
    await pingDynamo();
    await pingDynamo();
    expect(await getDynamo()).toBe(client);
    expect(opened).toBeGreaterThan(0);
    expect(dynamoSocketStats.opened).toBe(opened);
  });
});
