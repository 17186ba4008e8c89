/**
 * npm run bench:messages — the message stores under growing history, and id generation.
 *
 *   1. Snowflake ids per second from one generator (the ceiling is 4,096 per ms per worker).
 *   2. Latest-page (limit 50) read latency, p50/p99, on channels of 10^4, 10^5 and 10^6 messages,
 *      for each store; the page cost should not grow with history (ratio 10^6 / 10^4). Also a page
 *      deep in history (before the 1,000th message) at the largest size.
 *   3. Insert throughput through create() (id lease, Snowflake, insert) into one channel and
 *      spread over 100 channels, for each store.
 *
 * BENCH_SIZES (default 10000,100000,1000000) and BENCH_STORES (cassandra,mongo) narrow it. A size
 * whose reads fail (FerretDB, locally, scans the collection and passes the driver's timeout from
 * 10^5 messages) is reported as such, and the store's larger sizes are skipped.
 * Results go to bench/RESULTS.md; the history latencies are charted in bench/charts/.
 */

import { latency } from '../harness/latency';
import { resetConfig } from '../lib/config';
import { closeCassandra } from '../lib/db/cassandra';
import { closeDynamo } from '../lib/db/dynamo';
import { closeMongo, withMongo } from '../lib/db/mongo';
import { formatSnowflake, SNOWFLAKE_EPOCH_MS } from '../lib/ids';
import { makeSnowflake, SnowflakeGenerator } from '../lib/ids/snowflake';
import { cassandraMessageStore } from '../lib/storage/messages/cassandra-message-store';
import type { MessageStore, NewMessage } from '../lib/storage/messages/message-store';
import { mongoMessageStore } from '../lib/storage/messages/mongo-message-store';
import { syncIndexesAt } from '../lib/storage/mongo/indexes';
import { migrateWith, startStack } from '../scripts/stack';
import { MessageModel } from '../shared/mongo-schema';
import { type HistoryLatency, writeHistoryLatencyChart } from './charts/history-latency';

const SIZES = (process.env.BENCH_SIZES ?? '10000,100000,1000000').split(',').map(Number);
const STORES = (process.env.BENCH_STORES ?? 'cassandra,mongo').split(',');
async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const item = items[next] as T;
        next += 1;
        await work(item);
      }
    }),
  );
}

function snowflakesPerSecond(): number {
  const generator = new SnowflakeGenerator(1);
  let count = 0;
  const end = performance.now() + 1_000;
  while (performance.now() < end) {
    for (let i = 0; i < 10_000; i += 1) generator.next();
    count += 10_000;
  }
  return count;
}

/** `size` messages spread over the last 60 days (so several buckets), oldest first. */
function historyIds(size: number): bigint[] {
  const span = 60 * 24 * 3_600_000;
  const start = Date.now() - span;
  return Array.from({ length: size }, (_, i) => {
    const time = start + Math.floor((i * span) / size);
    return makeSnowflake(time, 1_000, i % 4_096);
  });
}

async function load(store: MessageStore, channelId: number, ids: bigint[]): Promise<void> {
  const base = {
    channelId,
    authorId: 2,
    content: 'x'.repeat(120),
    type: 'text' as const,
    fileUrl: null,
    isHomework: false,
  };
  if (store.kind === 'mongo') {
    // Bulk insert straight into the collection: loading is not what is measured.
    await withMongo(async () => {
      for (let i = 0; i < ids.length; i += 5_000) {
        await MessageModel.collection.insertMany(
          ids.slice(i, i + 5_000).map((id) => ({
            _id: formatSnowflake(id) as never,
            id,
            ...base,
            gradingStatus: null,
            readBy: [],
            createdAt: new Date(Number(id >> 22n) + SNOWFLAKE_EPOCH_MS),
          })),
          { ordered: false },
        );
      }
    });
    return;
  }
  await pool(ids, 128, (id) => store.put({ ...base, id, gradingStatus: null, readBy: [] }));
}

async function throughput(store: MessageStore, channels: number[], total: number): Promise<number> {
  const work = Array.from({ length: total }, (_, i) => channels[i % channels.length] as number);
  const started = performance.now();
  await pool(work, 32, (channelId) =>
    store.create({
      channelId,
      authorId: 3,
      content: 'hello class',
      type: 'text',
      fileUrl: null,
      isHomework: false,
    } satisfies NewMessage),
  );
  return total / ((performance.now() - started) / 1_000);
}

async function main(): Promise<void> {
  const stackEnv = await startStack({ env: { ...process.env } });
  const env = {
    ...stackEnv,
    MONGODB_URL: (stackEnv.MONGODB_URL as string).replace(
      /\/[^/?]*(\?|$)/,
      `/plp_bench_${Date.now()}$1`,
    ),
    CASSANDRA_KEYSPACE: `plp_bench_${Date.now()}`,
    LOG_LEVEL: 'warn',
  };
  Object.assign(process.env, env);
  resetConfig();
  await syncIndexesAt(env.MONGODB_URL);
  if (STORES.includes('cassandra')) await migrateWith(env);

  console.log(
    `snowflake ids per second, one generator: ${snowflakesPerSecond().toLocaleString('en-US')}`,
  );

  const charted: HistoryLatency[] = [];
  for (const name of STORES) {
    const store = name === 'cassandra' ? cassandraMessageStore : mongoMessageStore;
    await measureStore(name, store, charted);
  }
  console.log(`\nchart: ${writeHistoryLatencyChart(charted)}`);
  await Promise.all([closeMongo(), closeCassandra()]);
  closeDynamo();
}

/** One store's history latency at each size (charted too) and its create() throughput. */
async function measureStore(
  name: string,
  store: MessageStore,
  charted: HistoryLatency[],
): Promise<void> {
  const rows: string[] = [];
  let first: number | undefined;
  let last = 0;
  for (const [index, size] of SIZES.entries()) {
    const channelId = 10_000 + index;
    const ids = historyIds(size);
    const loadStarted = performance.now();
    await load(store, channelId, ids);
    const loadSeconds = (performance.now() - loadStarted) / 1_000;
    const latest = await latency(() => store.history(channelId, { limit: 50 })).catch(
      (error: unknown) => {
        rows.push(
          `| ${name} | ${size.toLocaleString('en-US')} | reads fail: ${error instanceof Error ? error.message : String(error)} | | | ${loadSeconds.toFixed(0)} s |`,
        );
        return undefined;
      },
    );
    if (!latest) break; // a larger history would fail the same way, after a longer load
    first ??= latest.p50;
    last = latest.p50;
    charted.push({ store: name, messages: size, p50: latest.p50, p99: latest.p99 });
    rows.push(
      `| ${name} | ${size.toLocaleString('en-US')} | ${latest.p50.toFixed(2)} ms | ${latest.p99.toFixed(2)} ms | ${latest.n} | ${loadSeconds.toFixed(0)} s |`,
    );
    if (index === SIZES.length - 1) {
      const deep = await latency(() =>
        store.history(channelId, { limit: 50, before: ids[1_000] as bigint }),
      );
      rows.push(
        `| ${name} | ${size.toLocaleString('en-US')}, page before the 1,000th message | ${deep.p50.toFixed(2)} ms | ${deep.p99.toFixed(2)} ms | ${deep.n} | |`,
      );
    }
  }
  console.log(`\n${name}: latest page (limit 50)`);
  console.log('| store | messages in channel | p50 | p99 | reads | load time |');
  console.log('|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
  console.log(
    `ratio p50 at ${charted.at(-1)?.messages.toLocaleString('en-US')} / ${SIZES[0]?.toLocaleString('en-US')}: ${(last / (first as number)).toFixed(2)}x`,
  );
  const one = await throughput(store, [20_001], 3_000);
  const hundred = await throughput(
    store,
    Array.from({ length: 100 }, (_, i) => 30_000 + i),
    3_000,
  );
  console.log(
    `${name}: create() throughput, 32 concurrent: one channel ${one.toFixed(0)} msg/s, 100 channels ${hundred.toFixed(0)} msg/s`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('bench failed:', error);
    process.exit(1);
  },
);
