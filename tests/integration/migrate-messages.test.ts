/** Mongo → Cassandra message migration: ids and state preserved, resumable, idempotent. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeCassandra } from '../../lib/db/cassandra';
import { closeDynamo } from '../../lib/db/dynamo';
import { closeMongo, withMongo } from '../../lib/db/mongo';
import { snowflakeTime } from '../../lib/ids';
import { makeSnowflake } from '../../lib/ids/snowflake';
import { cassandraMessageStore } from '../../lib/storage/messages/cassandra-message-store';
import type { MessageStore } from '../../lib/storage/messages/message-store';
import { compareCounts, copyMessages } from '../../lib/storage/messages/migrate';
import { mongoMessageStore } from '../../lib/storage/messages/mongo-message-store';
import { useIsolatedEnv } from '../helpers/isolated-env';

const CHANNELS = [11, 12, 13];

async function everything(store: MessageStore) {
  const out: Record<number, unknown> = {};
  for (const channelId of CHANNELS) {
    out[channelId] = {
      history: await store.history(channelId, { limit: 100 }),
      pinned: await store.pinnedIds(channelId),
      // 9 marked every fourth message read: unread counts agree (positions are derived again).
      unread: [await store.unreadCount(channelId, 9), await store.unreadCount(channelId, 1)],
    };
  }
  return out;
}

describe('migrate messages from MongoDB to Cassandra', () => {
  beforeAll(async () => {
    await useIsolatedEnv('migrate-messages');
    // 3 channels x 30 messages, with read marks, grading and pins.
    for (const channelId of CHANNELS) {
      for (let i = 0; i < 30; i += 1) {
        const m = await mongoMessageStore.create({
          channelId,
          authorId: (i % 3) + 1,
          content: `c${channelId} m${i}`,
          type: 'text',
          fileUrl: null,
          isHomework: i % 5 === 0,
        });
        if (i % 4 === 0) await mongoMessageStore.markRead(channelId, BigInt(m.id), 9);
        if (i % 5 === 0) await mongoMessageStore.grade(channelId, BigInt(m.id), 'graded');
        if (i % 10 === 0) await mongoMessageStore.pin(channelId, BigInt(m.id));
      }
    }
  });
  afterAll(async () => {
    await Promise.all([closeMongo(), closeCassandra()]);
    closeDynamo();
  });

  it('stops after an interruption, resumes from its checkpoint, and ends with identical stores', async () => {
    const progress: number[] = [];
    const first = await copyMessages(cassandraMessageStore, { batchSize: 20, maxBatches: 2 });
    expect(first).toEqual({ copied: 40, total: 90, complete: false });
    expect(
      (await compareCounts(mongoMessageStore, cassandraMessageStore)).mismatches.length,
    ).toBeGreaterThan(0);

    // A message minted just before the checkpoint by another worker, saved only now: resuming
    // from the checkpoint exactly would skip it.
    const checkpoint = await withMongo(async (db) =>
      db.connection
        .collection<{ _id: string; lastId: string }>('migration_checkpoints')
        .findOne({}),
    );
    const lastId = BigInt(checkpoint?.lastId as string);
    const late = makeSnowflake(snowflakeTime(lastId) - 1, 77, 0);
    await mongoMessageStore.put({
      id: late,
      channelId: 11,
      authorId: 2,
      content: 'saved late',
      type: 'text',
      fileUrl: null,
      isHomework: false,
      gradingStatus: null,
      readBy: [],
    });

    const second = await copyMessages(cassandraMessageStore, {
      batchSize: 20,
      onProgress: ({ copied }) => progress.push(copied),
    });
    expect(second).toMatchObject({ total: 91, complete: true });
    expect(progress.at(-1)).toBe(second.copied);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect((await cassandraMessageStore.get(11, late))?.content).toBe('saved late');
    expect(await compareCounts(mongoMessageStore, cassandraMessageStore)).toEqual({
      channels: 3,
      mismatches: [],
    });
    expect(await everything(cassandraMessageStore)).toEqual(await everything(mongoMessageStore));
  });

  it('changes nothing when run again, even from the start', async () => {
    const again = await copyMessages(cassandraMessageStore, { batchSize: 50, restart: true });
    expect(again).toEqual({ copied: 91, total: 91, complete: true });
    expect(await compareCounts(mongoMessageStore, cassandraMessageStore)).toEqual({
      channels: 3,
      mismatches: [],
    });
    expect(await everything(cassandraMessageStore)).toEqual(await everything(mongoMessageStore));
  });
});
