/**
 * npm run test-db: proves each store works end to end. It writes and reads back a document in
 * MongoDB, a row in Cassandra (when configured) and an item in DynamoDB, through the same cached
 * clients the Lambdas use, then removes what it wrote. Exits 1 if any step fails.
 *
 * Runs against whatever the environment configures (Atlas, Astra, AWS) and starts the local
 * engines for the rest, as `npm run dev` does.
 */
import { randomUUID } from 'node:crypto';
import { config, resetConfig } from '../lib/config';
import { closeCassandra, withCassandra } from '../lib/db/cassandra';
import { closeDynamo, withDynamo } from '../lib/db/dynamo';
import { closeMongo, withMongo } from '../lib/db/mongo';
import { startStack } from './stack';

interface Check {
  store: string;
  run: (marker: string) => Promise<void>;
}

function assertReadBack(store: string, expected: string, actual: unknown): void {
  if (actual !== expected) {
    throw new Error(
      `${store}: read back ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`,
    );
  }
}

const checks: Check[] = [
  {
    store: 'mongo',
    run: (marker) =>
      withMongo(async (db) => {
        const collection = db.connection.collection<{ _id: string; marker: string }>(
          'connectivity_checks',
        );
        await collection.insertOne({ _id: marker, marker });
        const found = await collection.findOne({ _id: marker });
        await collection.deleteOne({ _id: marker });
        assertReadBack('mongo', marker, found?.marker);
      }),
  },
  {
    store: 'cassandra',
    run: (marker) =>
      withCassandra(async (client) => {
        await client.execute(
          'INSERT INTO connectivity_checks (id, source, written_at) VALUES (?, ?, ?) USING TTL 3600',
          [marker, 'test-db', new Date()],
          { isIdempotent: true },
        );
        const row = (
          await client.execute('SELECT id FROM connectivity_checks WHERE id = ?', [marker])
        ).first();
        await client.execute('DELETE FROM connectivity_checks WHERE id = ?', [marker]);
        assertReadBack('cassandra', marker, row?.id);
      }),
  },
  {
    store: 'dynamodb',
    run: (marker) =>
      withDynamo(async (dynamo, { DeleteCommand, GetCommand, PutCommand }) => {
        const TableName = config().dynamo.sessionsTable;
        const pk = `connectivity-check#${marker}`;
        // An expiry in the past: should the delete below fail, nothing can mistake it for a session.
        await dynamo.send(new PutCommand({ TableName, Item: { pk, marker, ttl: 0 } }));
        const { Item } = await dynamo.send(
          new GetCommand({ TableName, Key: { pk }, ConsistentRead: true }),
        );
        await dynamo.send(new DeleteCommand({ TableName, Key: { pk } }));
        assertReadBack('dynamodb', marker, Item?.marker);
      }),
  },
];

async function main(): Promise<number> {
  const env = await startStack({ print: (line) => console.log(line) });
  Object.assign(process.env, env);
  resetConfig();
  const selected = checks.filter(
    (c) => c.store !== 'cassandra' || config().cassandra !== undefined,
  );
  if (selected.length < checks.length)
    console.log('cassandra  not configured: messages use MongoDB');
  let failures = 0;
  for (const check of selected) {
    const started = performance.now();
    try {
      await check.run(`test-db-${randomUUID()}`);
      console.log(
        `${check.store.padEnd(10)} ok      write + read back + delete in ${Math.round(performance.now() - started)} ms`,
      );
    } catch (error) {
      failures += 1;
      console.error(
        `${check.store.padEnd(10)} FAILED  ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  await Promise.all([closeMongo(), closeCassandra()]);
  closeDynamo();
  console.log(failures === 0 ? 'test-db: all stores ok' : `test-db: ${failures} store(s) failed`);
  return failures === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('test-db failed:', error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
