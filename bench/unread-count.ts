/**
 * npm run bench:unread — the Cassandra unread count of a user who has read everything, at 10^3,
 * 10^4 and 10^5 messages in the channel, two ways:
 *
 *   - without a read position: every message carries the user in read_by, nothing else (what the
 *     count had to scan before read positions, and still does for reads made before them);
 *   - with a read position: the same user has marked the newest message read.
 *
 * The claim: with a read position the count's cost does not grow with the channel (ratio to
 * 10^3 ~1x), while the scan grows with it. Messages are seeded straight into the tables with
 * unlogged batches of one partition each (seeding is not what is measured).
 *
 * BENCH_UNREAD_SIZES (default 1000,10000,100000) narrows it. Results go to bench/RESULTS.md.
 */
import { resetConfig } from '../lib/config';
import { cassandraSettings, closeCassandra, withCassandra } from '../lib/db/cassandra';
import { closeDynamo } from '../lib/db/dynamo';
import { makeSnowflake } from '../lib/ids/snowflake';
import { bucketOf } from '../lib/storage/messages/buckets';
import { cassandraMessageStore as store } from '../lib/storage/messages/cassandra-message-store';
import { migrateWith, startStack } from '../scripts/stack';
import { latency } from './latency';

const SIZES = (process.env.BENCH_UNREAD_SIZES ?? '1000,10000,100000').split(',').map(Number);
const READER = 5;
const AUTHOR = 2;
const ROWS_PER_BATCH = 100;
const CONCURRENT_BATCHES = 16;

/** `size` message ids spread over the last 60 days (six 10-day buckets), oldest first. */
function messageIds(size: number): bigint[] {
  const span = 60 * 24 * 3_600_000;
  const start = Date.now() - span;
  return Array.from({ length: size }, (_, i) =>
    makeSnowflake(start + Math.floor((i * span) / size), 1_000, i % 4_096),
  );
}

/** Every message by AUTHOR, each already read by READER (read_by), in unlogged per-partition batches. */
async function seed(channelId: number, ids: bigint[]): Promise<void> {
  const keyspace = cassandraSettings().keyspace;
  const channel = BigInt(channelId);
  const byBucket = new Map<number, bigint[]>();
  for (const id of ids) {
    const bucket = bucketOf(id);
    byBucket.set(bucket, [...(byBucket.get(bucket) ?? []), id]);
  }
  const batches: { bucket: number; ids: bigint[] }[] = [];
  for (const [bucket, inBucket] of byBucket) {
    for (let i = 0; i < inBucket.length; i += ROWS_PER_BATCH)
      batches.push({ bucket, ids: inBucket.slice(i, i + ROWS_PER_BATCH) });
  }
  await withCassandra(async (client) => {
    for (const bucket of byBucket.keys()) {
      await client.execute(
        `INSERT INTO ${keyspace}.channel_buckets (channel_id, bucket) VALUES (?, ?)`,
        [channel, bucket],
      );
    }
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENT_BATCHES }, async () => {
        while (next < batches.length) {
          const batch = batches[next] as { bucket: number; ids: bigint[] };
          next += 1;
          await client.batch(
            batch.ids.map((id) => ({
              query: `INSERT INTO ${keyspace}.messages (channel_id, bucket, message_id, author_id, content, type, is_homework, read_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
              params: [
                channel,
                batch.bucket,
                id,
                BigInt(AUTHOR),
                'x'.repeat(120),
                'text',
                false,
                [BigInt(READER)],
              ],
            })),
            { prepare: true, logged: false },
          );
        }
      }),
    );
  });
}

async function expectNothingUnread(channelId: number): Promise<void> {
  const count = await store.unreadCount(channelId, READER);
  if (count.unreadCount !== 0 || count.capped)
    throw new Error(`channel ${channelId}: expected nothing unread, got ${JSON.stringify(count)}`);
}

async function main(): Promise<void> {
  const stackEnv = await startStack({ env: { ...process.env } });
  const env = {
    ...stackEnv,
    CASSANDRA_KEYSPACE: `plp_bench_unread_${Date.now()}`,
    LOG_LEVEL: 'warn',
  };
  Object.assign(process.env, env);
  resetConfig();
  await migrateWith(env);

  const rows: {
    size: number;
    scan: Awaited<ReturnType<typeof latency>>;
    positioned: Awaited<ReturnType<typeof latency>>;
    seedSeconds: number;
  }[] = [];
  for (const [index, size] of SIZES.entries()) {
    const channelId = 50_000 + index;
    const ids = messageIds(size);
    const seedStarted = performance.now();
    await seed(channelId, ids);
    const seedSeconds = (performance.now() - seedStarted) / 1_000;

    await expectNothingUnread(channelId);
    const scan = await latency(() => store.unreadCount(channelId, READER), {
      reads: 50,
      budgetMs: 30_000,
    });
    await store.markRead(channelId, ids.at(-1) as bigint, READER);
    await expectNothingUnread(channelId);
    const positioned = await latency(() => store.unreadCount(channelId, READER), {
      reads: 200,
      budgetMs: 30_000,
    });
    rows.push({ size, scan, positioned, seedSeconds });
    console.log(`seeded and measured ${size.toLocaleString('en-US')} messages`);
  }

  const first = rows[0];
  if (!first) return;
  const ms = (value: number) => `${value.toFixed(2)} ms`;
  const ratio = (value: number, base: number) => `${(value / base).toFixed(2)}x`;
  console.log('\ncassandra: unread count of a user who has read everything');
  console.log(
    '| messages in channel | without read position: p50 | p99 | reads | ratio p50 to smallest | with read position: p50 | p99 | reads | ratio p50 to smallest | seeding |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const { size, scan, positioned, seedSeconds } of rows) {
    console.log(
      `| ${size.toLocaleString('en-US')} | ${ms(scan.p50)} | ${ms(scan.p99)} | ${scan.n} | ${ratio(scan.p50, first.scan.p50)} | ${ms(positioned.p50)} | ${ms(positioned.p99)} | ${positioned.n} | ${ratio(positioned.p50, first.positioned.p50)} | ${seedSeconds.toFixed(0)} s |`,
    );
  }
  await closeCassandra();
  closeDynamo();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('bench failed:', error);
    process.exit(1);
  },
);
