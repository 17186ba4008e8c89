/** The message-store contract against the MongoDB store. */
import { afterAll, beforeAll } from 'vitest';
import { closeDynamo } from '../../lib/db/dynamo';
import { closeMongo } from '../../lib/db/mongo';
import {
  mongoMessageStore,
  mongoMessageStoreWith,
} from '../../lib/storage/messages/mongo-message-store';
import { useIsolatedEnv } from '../helpers/isolated-env';
import { messageStoreContract } from './message-store-contract';

beforeAll(async () => {
  await useIsolatedEnv('msg-mongo', { cassandra: false });
});
afterAll(async () => {
  await closeMongo();
  closeDynamo();
});

messageStoreContract('mongo', () => mongoMessageStore, mongoMessageStoreWith);
