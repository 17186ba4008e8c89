/**
 * npm run migrate-messages [-- --restart]: copies every chat message (ids, read marks, grading,
 * pins) from the MongoDB message store to Cassandra, then checks the per-channel counts match.
 * Resumable after an interruption (it saves a checkpoint after every batch) and idempotent when
 * run again. Needs both MongoDB and Cassandra configured (or the local stack).
 */
import { resetConfig } from '../lib/config';
import { closeCassandra } from '../lib/db/cassandra';
import { closeDynamo } from '../lib/db/dynamo';
import { closeMongo } from '../lib/db/mongo';
import { cassandraMessageStore } from '../lib/storage/messages/cassandra-message-store';
import { compareCounts, copyMessages } from '../lib/storage/messages/migrate';
import { mongoMessageStore } from '../lib/storage/messages/mongo-message-store';
import { startStack } from './stack';

async function main(): Promise<number> {
  const env = await startStack();
  Object.assign(process.env, env);
  resetConfig();
  if (!env.CASSANDRA_CONTACT_POINTS && !process.env.ASTRA_DB_KEYSPACE) {
    console.error('migrate-messages: no Cassandra configured; nothing to migrate to');
    return 1;
  }
  const started = performance.now();
  const result = await copyMessages(cassandraMessageStore, {
    restart: process.argv.includes('--restart'),
    onProgress: ({ copied, total }) =>
      console.log(
        `copied ${copied} / ${total} messages (${total ? Math.round((copied / total) * 100) : 100}%)`,
      ),
  });
  console.log(
    `copy ${result.complete ? 'complete' : 'stopped'}: ${result.copied} messages in ${Math.round(performance.now() - started)} ms`,
  );
  const { channels, mismatches } = await compareCounts(mongoMessageStore, cassandraMessageStore);
  for (const m of mismatches)
    console.error(`channel ${m.channelId}: mongo ${m.mongo}, cassandra ${m.cassandra}`);
  console.log(
    mismatches.length === 0
      ? `count check: ${channels} channels match`
      : `count check: ${mismatches.length} channels differ`,
  );
  await Promise.all([closeMongo(), closeCassandra()]);
  closeDynamo();
  return mismatches.length === 0 && result.complete ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('migrate-messages failed:', error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
