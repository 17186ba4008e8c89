/**
 * Copies chat history from the MongoDB message store to Cassandra, ids and state preserved
 * (scripts/migrate-messages). Resumable: a checkpoint (the last copied id) is saved in MongoDB after
 * every batch, so an interrupted run continues where it stopped. Idempotent: a Cassandra insert of
 * the same message is the same row, so copying a batch twice changes nothing. Read positions are not
 * copied: a cache of readBy (read-position.ts), which Cassandra rebuilds from the copied readBy.
 */
import { trusted } from 'mongoose';
import { MessageModel, MessagePinModel } from '../../../shared/mongo-schema';
import { withMongo } from '../../db/mongo';
import { lowestSnowflakeAt, SNOWFLAKE_EPOCH_MS, snowflakeTime } from '../../ids';
import type { MessageStore } from './message-store';

const CHECKPOINT_ID = 'messages-to-cassandra';

interface CheckpointDoc {
  _id: string;
  lastId: string;
  copied: number;
}

const checkpoints = () =>
  withMongo(async (db) => db.connection.collection<CheckpointDoc>('migration_checkpoints'));

/** How far before the checkpoint a resumed copy starts. */
export const RESUME_OVERLAP_MS = 60_000;

function resumeFrom(lastId: bigint): bigint {
  const time = Math.max(SNOWFLAKE_EPOCH_MS, snowflakeTime(lastId) - RESUME_OVERLAP_MS);
  return lowestSnowflakeAt(time) - 1n;
}

export interface MigrationProgress {
  copied: number;
  total: number;
}

export interface MigrationOptions {
  batchSize?: number;
  /** Stop after this many batches (to simulate an interruption in tests). */
  maxBatches?: number;
  /** Ignore the saved checkpoint and start from the first message. */
  restart?: boolean;
  onProgress?: (progress: MigrationProgress) => void;
}

export interface MigrationResult extends MigrationProgress {
  /** True when every message has been copied. */
  complete: boolean;
}

/** Copies messages newer than the checkpoint, in id order, batch by batch. */
export async function copyMessages(
  target: MessageStore,
  options: MigrationOptions = {},
): Promise<MigrationResult> {
  const {
    batchSize = 500,
    maxBatches = Number.POSITIVE_INFINITY,
    restart = false,
    onProgress,
  } = options;
  const saved = restart ? null : await (await checkpoints()).findOne({ _id: CHECKPOINT_ID });
  // Resume a little before the checkpoint: ids of different workers are not saved in id order,
  // so a message minted just before the last copied one may have been saved after the batch was
  // read. Copying is idempotent, so the overlap costs only a re-put of a few messages.
  let lastId = saved ? resumeFrom(BigInt(saved.lastId)) : -1n;
  // Messages up to here were counted by the earlier run; re-copied ones are not counted again.
  const counted = saved ? BigInt(saved.lastId) : -1n;
  let copied = saved?.copied ?? 0;
  const total = await withMongo(() => MessageModel.estimatedDocumentCount());

  for (let batch = 0; batch < maxBatches; batch += 1) {
    const docs = await withMongo(() =>
      MessageModel.find({ id: trusted({ $gt: lastId }) })
        .sort({ id: 1 })
        .limit(batchSize)
        .lean(),
    );
    if (docs.length === 0) {
      await copyPins(target);
      return { copied, total, complete: true };
    }
    await Promise.all(
      docs.map((doc) =>
        target.put({
          id: BigInt(doc.id),
          channelId: doc.channelId,
          authorId: doc.authorId,
          content: doc.content,
          type: doc.type,
          fileUrl: doc.fileUrl ?? null,
          isHomework: doc.isHomework,
          gradingStatus: doc.gradingStatus ?? null,
          readBy: doc.readBy,
        }),
      ),
    );
    lastId = BigInt((docs[docs.length - 1] as { id: bigint }).id);
    copied += docs.filter((doc) => BigInt(doc.id) > counted).length;
    await (await checkpoints()).updateOne(
      { _id: CHECKPOINT_ID },
      { $set: { lastId: lastId.toString(), copied } },
      { upsert: true },
    );
    onProgress?.({ copied, total });
  }
  return { copied, total, complete: false };
}

/** Pins follow once the messages are there (a pin needs its message). Pinning is idempotent. */
async function copyPins(target: MessageStore): Promise<void> {
  const pins = await withMongo(() =>
    MessagePinModel.find({}, { _id: 0, channelId: 1, messageId: 1 }).lean(),
  );
  for (const pin of pins) await target.pin(pin.channelId, BigInt(pin.messageId));
}

export interface CountCheck {
  channelId: number;
  mongo: number;
  cassandra: number;
}

/** Per channel, the number of messages in the source and the target; the channels that differ. */
export async function compareCounts(
  source: MessageStore,
  target: MessageStore,
): Promise<{ channels: number; mismatches: CountCheck[] }> {
  const channelIds = (await withMongo(() => MessageModel.distinct('channelId'))) as number[];
  const mismatches: CountCheck[] = [];
  for (const channelId of channelIds) {
    const [mongo, cassandra] = [await source.count(channelId), await target.count(channelId)];
    if (mongo !== cassandra) mismatches.push({ channelId, mongo, cassandra });
  }
  return { channels: channelIds.length, mismatches };
}
