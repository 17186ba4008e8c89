/**
 * npm run bench:storage — what a counter id and our indexed look-ups cost on the local MongoDB
 * engine, as ratios to a plain insertOne / findOne on the same collection (ratios, because this
 * 2-core machine is noisy). Results are recorded in bench/RESULTS.md.
 *
 *   insert: plain insertOne of a user document           vs  counter id (+ claim) then insertOne
 *   lookup: findOne by _id (the primary key)              vs  findOne by usernameKey (our unique index)
 *           questions of a test by (testId, order, id) index  vs  the same filter with the index dropped
 */
import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { resetConfig } from '../lib/config';
import { closeMongo, withMongo } from '../lib/db/mongo';
import { nextId } from '../lib/storage/mongo/counters';
import { syncIndexesAt } from '../lib/storage/mongo/indexes';
import { startStack } from '../scripts/stack';
import { withDatabase } from '../scripts/stack/mongo-url';
import { QuestionModel, UserModel } from '../shared/mongo-schema';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 300);
const BACKGROUND_DOCS = Number(process.env.BENCH_DOCS ?? 10_000);
/** Scans take ~0.5 s each on FerretDB/SQLite (see RESULTS.md): fewer rounds for those. */
const SCAN_ROUNDS = Math.max(5, Math.floor(ROUNDS / 10));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function timeEach(rounds: number, op: (i: number) => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < rounds; i += 1) {
    const started = performance.now();
    await op(i);
    samples.push(performance.now() - started);
  }
  return median(samples);
}

function userDoc(id: number) {
  const key = `u${id}-${randomUUID().slice(0, 8)}`;
  return {
    id,
    username: key,
    usernameKey: key,
    passwordHash: 'scrypt$10$8$1$x$y',
    name: 'Bench User',
    email: `${key}@example.test`,
    emailKey: `${key}@example.test`,
    role: 'student' as const,
    class: null,
    subject: null,
    avatar: null,
    createdAt: new Date(),
  };
}

type Db = Parameters<Parameters<typeof withMongo>[0]>[0];
type Results = Awaited<ReturnType<typeof measure>>;

/** Background data, so look-ups search a realistic collection rather than an empty one. */
async function seedBackground(db: Db): Promise<void> {
  const users = db.connection.collection('users');
  for (let start = 0; start < BACKGROUND_DOCS; start += 1_000) {
    await users.insertMany(Array.from({ length: 1_000 }, (_, i) => userDoc(1_000_000 + start + i)));
  }
  await QuestionModel.insertMany(
    Array.from({ length: BACKGROUND_DOCS }, (_, i) => ({
      id: i + 1,
      testId: (i % 500) + 1,
      type: 'short',
      text: 'q',
      order: i,
      marks: 1,
    })),
  );
}

/** Each operation's median against its baseline; drops the question index on the way. */
async function measure(db: Db) {
  const users = db.connection.collection('users');
  const plainInsert = await timeEach(ROUNDS, (i) => users.insertOne(userDoc(2_000_000 + i)));
  const counterInsert = await timeEach(ROUNDS, async () =>
    users.insertOne(userDoc(await nextId('user_id'))),
  );

  const sample = await users
    .find({}, { projection: { _id: 1, usernameKey: 1 } })
    .limit(ROUNDS)
    .toArray();
  const byPrimaryKey = await timeEach(ROUNDS, (i) =>
    users.findOne({ _id: sample[i % sample.length]?._id }),
  );
  const byUsername = await timeEach(ROUNDS, (i) =>
    UserModel.findOne({ usernameKey: sample[i % sample.length]?.usernameKey as string }).lean(),
  );

  const questionsOfTest = (i: number) =>
    QuestionModel.find({ testId: (i % 500) + 1 })
      .sort({ order: 1, id: 1 })
      .lean();
  const questionsIndexed = await timeEach(SCAN_ROUNDS, questionsOfTest);
  await db.connection.collection('questions').dropIndex('testId_1_order_1_id_1');
  const questionsUnindexed = await timeEach(SCAN_ROUNDS, questionsOfTest);
  return {
    plainInsert,
    counterInsert,
    byPrimaryKey,
    byUsername,
    questionsIndexed,
    questionsUnindexed,
  };
}

function printResults(engineUrl: string | undefined, results: Results): void {
  const ms = (v: number) => `${v.toFixed(2)} ms`;
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
  console.log(
    `engine: ${engineUrl?.startsWith('mongodb://127.0.0.1') ? 'local stack (FerretDB)' : 'MONGODB_URL'}; medians of ${ROUNDS} sequential ops (${SCAN_ROUNDS} for the question queries); ${BACKGROUND_DOCS} documents per collection`,
  );
  console.log(`| operation | median | ratio to baseline |`);
  console.log(`|---|---|---|`);
  console.log(`| insertOne (baseline) | ${ms(results.plainInsert)} | 1.00x |`);
  console.log(
    `| counter id + claim + insertOne | ${ms(results.counterInsert)} | ${ratio(results.counterInsert, results.plainInsert)} |`,
  );
  console.log(`| findOne by _id (baseline) | ${ms(results.byPrimaryKey)} | 1.00x |`);
  console.log(
    `| findOne by usernameKey (unique index) | ${ms(results.byUsername)} | ${ratio(results.byUsername, results.byPrimaryKey)} |`,
  );
  console.log(
    `| questions of a test, (testId, order, id) index | ${ms(results.questionsIndexed)} | ${ratio(results.questionsIndexed, results.byPrimaryKey)} |`,
  );
  console.log(
    `| the same without the index | ${ms(results.questionsUnindexed)} | ${ratio(results.questionsUnindexed, results.byPrimaryKey)} |`,
  );
}

async function main(): Promise<void> {
  const env = await startStack({ only: ['mongo'] });
  const database = `bench_${Date.now()}`;
  process.env.MONGODB_URL = withDatabase(env.MONGODB_URL as string, database);
  process.env.SESSIONS_TABLE = 'bench-sessions';
  process.env.WORKER_LEASES_TABLE = 'bench-leases';
  process.env.IDEMPOTENCY_TABLE = 'bench-idempotency';
  process.env.CONNECTIONS_TABLE = 'plp-connections';
  process.env.CHANNEL_SUBSCRIPTIONS_TABLE = 'plp-channel-subscriptions';
  process.env.REALTIME_TICKETS_TABLE = 'plp-realtime-tickets';
  process.env.MONGODB_MAX_POOL_SIZE = '4';
  resetConfig();
  await syncIndexesAt(process.env.MONGODB_URL as string);

  const results = await withMongo(async (db) => {
    await seedBackground(db);
    const measured = await measure(db);
    await db.connection.dropDatabase();
    return measured;
  });
  await closeMongo();
  await mongoose.disconnect();
  printResults(env.MONGODB_URL, results);
}

main().catch((error: unknown) => {
  console.error('bench failed:', error);
  process.exit(1);
});
