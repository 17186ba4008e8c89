/**
 * npm run bench:unread — the Cassandra unread count at 10^3, 10^4 and 10^5 messages in a channel,
 * every message by another user, for two readers:
 *
 *   - one who has read everything: every message has them in read_by, and their read position
 *     was derived by the store itself (the first count, which reads the channel once and moves the
 *     position up to the last settled message; timed on its own);
 *   - one who has read everything but the oldest message: their position cannot pass it, so the
 *     count reads the whole channel (what every count cost before read positions).
 *
 * The claim: the full reader's count does not grow with the channel (ratio to 10^3 ~1x). Messages
 * are seeded straight into the tables with unlogged batches of one partition each (seeding is not
 * what is measured), the newest a few minutes old (past the settle margin).
 *
 * BENCH_UNREAD_SIZES (default 1000,10000,100000) narrows it. Results go to bench/RESULTS.md.
 */

import { latency } from '../harness/latency';
import { resetConfig } from '../lib/config';
import { cassandraSettings, closeCassandra, withCassandra } from '../lib/db/cassandra';
import { closeDynamo } from '../lib/db/dynamo';
import { makeSnowflake } from '../lib/ids/snowflake';
import { bucketOf } from '../lib/storage/messages/buckets';
import { cassandraMessageStore as store } from '../lib/storage/messages/cassandra-message-store';
import { migrateWith, startStack } from '../scripts/stack';

const SIZES = (process.env.BENCH_UNREAD_SIZES ?? '1000,10000,100000').split(',').map(Number);
/** Has read every message. */
const READER = 5;
/** Has read every message but the oldest. */
const SKIPPER = 6;
const AUTHOR = 2;
const ROWS_PER_BATCH = 100;
const CONCURRENT_BATCHES = 16;

/** `size` message ids spread over 60 days (six 10-day buckets) up to 5 minutes ago, oldest first. */
function messageIds(size: number): bigint[] {
  const span = 60 * 24 * 3_600_000;
  const start = Date.now() - 300_000 - span;
  return Array.from({ length: size }, (_, i) =>
    makeSnowflake(start + Math.floor((i * span) / size), 1_000, i % 4_096),
  );
}

/** Every message by AUTHOR, read by READER and (but the oldest) SKIPPER, in unlogged per-partition batches. */
async function seed(channelId: number, ids: bigint[]): Promise<void> {
  const keyspace = cassandraSettings().keyspace;
  const channel = BigInt(channelId);
  const oldest = ids[0];
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
                id === oldest ? [BigInt(READER)] : [BigInt(READER), BigInt(SKIPPER)],
              ],
            })),
            { prepare: true, logged: false },
          );
        }
      }),
    );
  });
}

async function expectUnread(channelId: number, reader: number, expected: number): Promise<void> {
  const count = await store.unreadCount(channelId, reader);
  if (count.unreadCount !== expected || count.capped)
    throw new Error(
      `channel ${channelId}, reader ${reader}: expected ${expected} unread, got ${JSON.stringify(count)}`,
    );
}

type Latency = Awaited<ReturnType<typeof latency>>;
interface Row {
  size: number;
  full: Latency;
  skipper: Latency;
  firstCountMs: number;
  seedSeconds: number;
}

/** Seeds a channel of `size` messages, checks both readers' counts, then times them. */
async function measureSize(channelId: number, size: number): Promise<Row> {
  const ids = messageIds(size);
  const seedStarted = performance.now();
  await seed(channelId, ids);
  const seedSeconds = (performance.now() - seedStarted) / 1_000;

  // The full reader's first count reads the channel and derives the position from read_by.
  const firstStarted = performance.now();
  await expectUnread(channelId, READER, 0);
  const firstCountMs = performance.now() - firstStarted;
  const position = await store.readPosition(channelId, READER);
  if (position !== ids.at(-1))
    throw new Error(`channel ${channelId}: position ${position}, expected ${ids.at(-1)}`);
  const full = await latency(() => store.unreadCount(channelId, READER), {
    reads: 200,
    budgetMs: 30_000,
  });
  await expectUnread(channelId, SKIPPER, 1);
  if ((await store.readPosition(channelId, SKIPPER)) !== undefined)
    throw new Error(`channel ${channelId}: the skipper's position passed an unread message`);
  const skipper = await latency(() => store.unreadCount(channelId, SKIPPER), {
    reads: 50,
    budgetMs: 30_000,
  });
  return { size, full, skipper, firstCountMs, seedSeconds };
}

function printRows(rows: Row[], first: Row): void {
  const ms = (value: number) => `${value.toFixed(2)} ms`;
  const ratio = (value: number, base: number) => `${(value / base).toFixed(2)}x`;
  console.log('\ncassandra: unread count, every message by another user');
  console.log(
    '| messages in channel | read everything: p50 | p99 | reads | ratio p50 to smallest | its first count (derives the position) | oldest left unread: p50 | p99 | reads | ratio p50 to smallest | seeding |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const { size, full, skipper, firstCountMs, seedSeconds } of rows) {
    console.log(
      `| ${size.toLocaleString('en-US')} | ${ms(full.p50)} | ${ms(full.p99)} | ${full.n} | ${ratio(full.p50, first.full.p50)} | ${ms(firstCountMs)} | ${ms(skipper.p50)} | ${ms(skipper.p99)} | ${skipper.n} | ${ratio(skipper.p50, first.skipper.p50)} | ${seedSeconds.toFixed(0)} s |`,
    );
  }
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

  const rows: Row[] = [];
  for (const [index, size] of SIZES.entries()) {
    rows.push(await measureSize(50_000 + index, size));
    console.log(`seeded and measured ${size.toLocaleString('en-US')} messages`);
  }
  const first = rows[0];
  if (first) printRows(rows, first);
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
