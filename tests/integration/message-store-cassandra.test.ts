/** The message-store contract against the Cassandra store. */
import { afterAll, beforeAll } from 'vitest';
import { closeCassandra } from '../../lib/db/cassandra';
import { closeDynamo } from '../../lib/db/dynamo';
import { cassandraMessageStore } from '../../lib/storage/messages/cassandra-message-store';
import { useIsolatedEnv } from '../helpers/isolated-env';
import { messageStoreContract } from './message-store-contract';

beforeAll(async () => {
  await useIsolatedEnv('msg-cassandra', { mongoIndexes: false });
});
afterAll(async () => {
  await closeCassandra();
  closeDynamo();
});

messageStoreContract('cassandra', () => cassandraMessageStore);
