/**
 * Messages in MongoDB, for deployments without Cassandra: the same behaviour as the Cassandra
 * store (contract-tested), Snowflake ids too, indexed on (channelId, id).
 *
 * A message's `_id` is its Snowflake in decimal, and single-message operations look it up by `_id`
 * alone, then check the channel (a message never changes channel, so the check cannot go stale).
 * On MongoDB that is the primary-key index; on FerretDB/SQLite it is the only indexed filter.
 */
import { trusted } from 'mongoose';
import {
  type MessageDoc,
  MessageModel,
  MessagePinModel,
  MessageReadMarkModel,
} from '../../../shared/mongo-schema';
import type { Message } from '../../../shared/schema';
import { withMongo } from '../../db/mongo';
import { formatSnowflake, nextMessageId, snowflakeTime } from '../../ids';
import { ConflictError } from '../errors';
import { isDuplicateKey } from '../mongo/duplicate-key';
import { assertId } from '../mongo/guards';
import { sortPinnedIds, toMessage } from './dto';
import { type MessageStore, UNREAD_CAP } from './message-store';
import { claimPinSlot, type PinSlots } from './pins';

async function pinnedIds(channelId: number): Promise<string[]> {
  const pins = await MessagePinModel.find({ channelId }, { _id: 0, messageId: 1 }).lean();
  return sortPinnedIds(pins.map((p) => BigInt(p.messageId)));
}

/** The pin slots of a channel in MongoDB: (channelId, slot) and (channelId, messageId) are unique. */
function mongoPinSlots(channelId: number): PinSlots {
  return {
    read: async () =>
      (await MessagePinModel.find({ channelId }, { _id: 0, slot: 1, messageId: 1 }).lean()).map(
        (p) => ({
          slot: p.slot,
          messageId: BigInt(p.messageId),
        }),
      ),
    claim: async (slot, messageId) => {
      try {
        await MessagePinModel.create({ channelId, slot, messageId });
        return true;
      } catch (error) {
        if (isDuplicateKey(error)) return false;
        throw error;
      }
    },
  };
}

/** The newest message the user has marked read in the channel (see MessageReadMarkDoc). */
async function readPosition(channelId: number, userId: number): Promise<bigint | undefined> {
  const top = await MessageReadMarkModel.findOne({ channelId, userId }, { _id: 0, upTo: 1 })
    .sort({ upTo: -1 })
    .lean();
  return top ? BigInt(top.upTo) : undefined;
}

/** Records the mark (idempotent), then drops the marks below it: the highest always stays. */
async function advanceReadPosition(channelId: number, userId: number, upTo: bigint) {
  try {
    await MessageReadMarkModel.create({
      _id: `${channelId}:${userId}:${formatSnowflake(upTo)}`,
      channelId,
      userId,
      upTo,
    });
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
  }
  await MessageReadMarkModel.deleteMany({ channelId, userId, upTo: trusted({ $lt: upTo }) });
}

const pinnedSet = async (channelId: number) => new Set(await pinnedIds(channelId));

function fromDoc(doc: MessageDoc, pinned: ReadonlySet<string>): Message {
  return toMessage({ ...doc, id: BigInt(doc.id) }, pinned);
}

/** The message if it exists in that channel. */
async function findInChannel(channelId: number, id: bigint): Promise<MessageDoc | undefined> {
  const doc = await MessageModel.findOne({ _id: formatSnowflake(id) }).lean();
  return doc && doc.channelId === channelId ? doc : undefined;
}

/** Applies `update` to a message known to be in the channel; the updated document. */
async function updateMessage(
  id: bigint,
  update: Record<string, unknown>,
): Promise<MessageDoc | undefined> {
  const doc = await MessageModel.findOneAndUpdate({ _id: formatSnowflake(id) }, update, {
    returnDocument: 'after',
    lean: true,
  });
  return doc ?? undefined;
}

export const mongoMessageStore: MessageStore = {
  kind: 'mongo',

  create: (message) =>
    withMongo(async () => {
      const id = await nextMessageId();
      const doc: MessageDoc = {
        ...message,
        _id: formatSnowflake(id),
        id,
        gradingStatus: null,
        readBy: [],
        createdAt: new Date(snowflakeTime(id)),
      };
      await MessageModel.create(doc);
      return fromDoc(doc, new Set());
    }),

  put: (message) =>
    withMongo(async () => {
      const { id, ...rest } = message;
      await MessageModel.updateOne(
        { _id: formatSnowflake(id) },
        { $set: { ...rest, id, createdAt: new Date(snowflakeTime(id)) } },
        { upsert: true },
      );
    }),

  get: (channelId, id) =>
    withMongo(async () => {
      const doc = await findInChannel(channelId, id);
      return doc ? fromDoc(doc, await pinnedSet(channelId)) : undefined;
    }),

  history: (channelId, { limit, before, after }) =>
    withMongo(async () => {
      const range = {
        ...(after === undefined ? {} : { $gt: after }),
        ...(before === undefined ? {} : { $lt: before }),
      };
      const filter = { channelId, ...(Object.keys(range).length ? { id: trusted(range) } : {}) };
      // Without `after`, the newest page: read newest first, then put it in reading order.
      const docs = await MessageModel.find(filter)
        .sort({ id: after === undefined ? -1 : 1 })
        .limit(limit)
        .lean();
      if (after === undefined) docs.reverse();
      const pinned = await pinnedSet(channelId);
      return docs.map((doc) => fromDoc(doc, pinned));
    }),

  delete: (channelId, id) =>
    withMongo(async () => {
      const found = await findInChannel(channelId, id);
      const { deletedCount } = found
        ? await MessageModel.deleteOne({ _id: formatSnowflake(id) })
        : { deletedCount: 0 };
      // Always, even when the message was already gone: a retried delete heals a lost unpin.
      await MessagePinModel.deleteMany({ channelId, messageId: id });
      return deletedCount > 0;
    }),

  pin: (channelId, id) =>
    withMongo(async () => {
      if (!(await findInChannel(channelId, id))) return undefined;
      await claimPinSlot(mongoPinSlots(channelId), id);
      // A delete that ran meanwhile found no pin to clear: clear ours, and say not found.
      if (!(await findInChannel(channelId, id))) {
        await MessagePinModel.deleteMany({ channelId, messageId: id });
        return undefined;
      }
      return pinnedIds(channelId);
    }),

  unpin: (channelId, id) =>
    withMongo(async () => {
      // Cleared first and unconditionally, so a pin left behind by a deleted message can go too.
      await MessagePinModel.deleteMany({ channelId, messageId: id });
      if (!(await findInChannel(channelId, id))) return undefined;
      return pinnedIds(channelId);
    }),

  pinnedIds: (channelId) => withMongo(() => pinnedIds(channelId)),

  pinned: (channelId) =>
    withMongo(async () => {
      const ids = await pinnedIds(channelId);
      const docs = await Promise.all(ids.map((id) => findInChannel(channelId, BigInt(id))));
      const pinned = new Set(ids);
      return docs
        .filter((doc): doc is MessageDoc => doc !== undefined)
        .map((doc) => fromDoc(doc, pinned));
    }),

  grade: (channelId, id, status) =>
    withMongo(async () => {
      const current = await findInChannel(channelId, id);
      if (!current) return undefined;
      if (!current.isHomework)
        throw new ConflictError('Only homework messages can be graded', 'homework');
      const doc = await updateMessage(id, { $set: { gradingStatus: status } });
      return doc ? fromDoc(doc, await pinnedSet(channelId)) : undefined;
    }),

  markRead: (channelId, id, userId) =>
    withMongo(async () => {
      assertId(userId, 'userId');
      if (!(await findInChannel(channelId, id))) return undefined;
      const doc = await updateMessage(id, { $addToSet: { readBy: userId } });
      if (!doc) return undefined;
      await advanceReadPosition(channelId, userId, id);
      return fromDoc(doc, await pinnedSet(channelId));
    }),

  putReadPosition: (channelId, userId, upTo) =>
    withMongo(async () => {
      assertId(userId, 'userId');
      await advanceReadPosition(channelId, userId, upTo);
    }),

  count: (channelId) => withMongo(() => MessageModel.countDocuments({ channelId })),

  unreadCount: (channelId, userId) =>
    withMongo(async () => {
      const upTo = await readPosition(channelId, userId);
      const count = await MessageModel.countDocuments(
        {
          channelId,
          ...(upTo === undefined ? {} : { id: trusted({ $gt: upTo }) }),
          authorId: trusted({ $ne: userId }),
          readBy: trusted({ $ne: userId }),
        },
        { limit: UNREAD_CAP + 1 },
      );
      return { unreadCount: Math.min(count, UNREAD_CAP), capped: count > UNREAD_CAP };
    }),
};
