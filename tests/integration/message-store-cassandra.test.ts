/** The message-store contract against the Cassandra store. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetConfig } from '../../lib/config';
import { closeCassandra, withCassandra } from '../../lib/db/cassandra';
import { closeDynamo } from '../../lib/db/dynamo';
import { cassandraMessageStore } from '../../lib/storage/messages/cassandra-message-store';
import { type IsolatedEnv, useIsolatedEnv } from '../helpers/isolated-env';
import { messageStoreContract } from './message-store-contract';

let home: IsolatedEnv;

beforeAll(async () => {
  home = await useIsolatedEnv('msg-cassandra', { mongoIndexes: false });
});
afterAll(async () => {
  await closeCassandra();
  closeDynamo();
});

messageStoreContract('cassandra', () => cassandraMessageStore);

describe('cassandra message store: keyspace', () => {
  it('names the configured keyspace in its statements, whatever keyspace the session is on', async () => {
    const channelId = 4_242;
    // A client connected to (and whose session is on) the first keyspace...
    await cassandraMessageStore.history(channelId, { limit: 1 });
    // ...then another keyspace configured, with that client still open.
    const other = await useIsolatedEnv('msg-cassandra-other', { mongoIndexes: false });
    try {
      const sent = await cassandraMessageStore.create({
        channelId,
        authorId: 7,
        content: 'to the configured keyspace',
        type: 'text',
        fileUrl: null,
        isHomework: false,
      });
      /** Messages of the channel stored in `keyspace`, read with statements naming it. */
      const storedIn = (keyspace: string) =>
        withCassandra(async (client) => {
          const buckets = await client.execute(
            `SELECT bucket FROM ${keyspace}.channel_buckets WHERE channel_id = ?`,
            [BigInt(channelId)],
          );
          let stored = 0;
          for (const { bucket } of buckets.rows) {
            const result = await client.execute(
              `SELECT COUNT(*) AS n FROM ${keyspace}.messages WHERE channel_id = ? AND bucket = ?`,
              [BigInt(channelId), bucket],
            );
            stored += Number(result.first()?.n ?? 0);
          }
          return stored;
        });
      expect(await storedIn(other.id)).toBe(1);
      expect(await storedIn(home.id)).toBe(0);
      expect((await cassandraMessageStore.get(channelId, BigInt(sent.id)))?.content).toBe(
        'to the configured keyspace',
      );
    } finally {
      Object.assign(process.env, home.env);
      resetConfig();
    }
  });
});
