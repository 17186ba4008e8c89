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
import { StorageConflictError } from '../errors';
import { isDuplicateKey } from '../mongo/duplicate-key';
import { assertId } from '../mongo/guards';
import { sortPinnedIds, toMessage } from './dto';
import { type MessageStore, UNREAD_CAP } from './message-store';
import { claimPinSlot, type PinSlots } from './pins';
import {
  assertInsertInTime,
  defaultReadPositionOptions,
  MAX_ADVANCE_ROWS,
  type ReadPositionOptions,
  readPrefixEnd,
  settledUpTo,
} from './read-position';

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

/** The user's read position in the channel (read-position.ts, MessageReadMarkDoc). */
async function readPosition(channelId: number, userId: number): Promise<bigint | undefined> {
  const top = await MessageReadMarkModel.findOne({ channelId, userId }, { _id: 0, upTo: 1 })
    .sort({ upTo: -1 })
    .lean();
  return top ? BigInt(top.upTo) : undefined;
}

/** Moves the position up to `upTo` (idempotent, never back), then drops the marks below it. */
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

/** Messages of the channel the user has not read: by others, without the user in readBy. */
const unreadBy = (userId: number) => ({
  authorId: trusted({ $ne: userId }),
  readBy: trusted({ $ne: userId }),
});

/** Message ids above `after` (and within `bounds`), as an id filter. */
const idsAbove = (after: bigint | undefined, bounds: Record<string, bigint> = {}) => {
  const range = { ...(after === undefined ? {} : { $gt: after }), ...bounds };
  return Object.keys(range).length ? { id: trusted(range) } : {};
};

/** After a read mark: moves the position over the read prefix above it (read-position.ts). */
async function advanceOverReadPrefix(
  channelId: number,
  userId: number,
  options: ReadPositionOptions,
): Promise<void> {
  // The margin is taken before the position is read and the rows scanned (read-position.ts).
  const upTo = settledUpTo(options);
  const from = await readPosition(channelId, userId);
  const cursor = MessageModel.find(
    { channelId, ...idsAbove(from, { $lte: upTo }) },
    { _id: 0, id: 1, authorId: 1, readBy: 1 },
  )
    .sort({ id: 1 })
    .limit(MAX_ADVANCE_ROWS)
    .batchSize(50)
    .lean()
    .cursor();
  try {
    const rows = (async function* () {
      for await (const doc of cursor)
        yield {
          id: BigInt(doc.id),
          read: doc.authorId === userId || doc.readBy.includes(userId),
        };
    })();
    const end = await readPrefixEnd(rows);
    if (end !== undefined) await advanceReadPosition(channelId, userId, end);
  } finally {
    await cursor.close();
  }
}

/**
 * After a count that saw every message above the position: moves it up to the highest settled
 * message below the lowest unread one (read-position.ts).
 */
async function healReadPosition(
  channelId: number,
  userId: number,
  from: bigint | undefined,
  settled: bigint,
  unread: number,
): Promise<void> {
  const lowestUnread =
    unread === 0
      ? undefined
      : await MessageModel.findOne(
          { channelId, ...idsAbove(from), ...unreadBy(userId) },
          { _id: 0, id: 1 },
        )
          .sort({ id: 1 })
          .lean();
  const below: Record<string, bigint> =
    lowestUnread && BigInt(lowestUnread.id) <= settled
      ? { $lt: BigInt(lowestUnread.id) }
      : { $lte: settled };
  const end = await MessageModel.findOne({ channelId, ...idsAbove(from, below) }, { _id: 0, id: 1 })
    .sort({ id: -1 })
    .lean();
  if (end) await advanceReadPosition(channelId, userId, BigInt(end.id));
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

/**
 * The MongoDB message store, with read positions kept as `options` say (tests shorten the settle
 * margin); `mongoMessageStore` is the one the application uses.
 */
export function mongoMessageStoreWith(options: ReadPositionOptions): MessageStore {
  return {
    ...storeBase,

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
        // Nothing awaited between the check and the insert (mongoose validates in memory first).
        assertInsertInTime(options, id, 'mongo');
        await MessageModel.create(doc);
        return fromDoc(doc, new Set());
      }),

    markRead: (channelId, id, userId) =>
      withMongo(async () => {
        assertId(userId, 'userId');
        if (!(await findInChannel(channelId, id))) return undefined;
        const doc = await updateMessage(id, { $addToSet: { readBy: userId } });
        if (!doc) return undefined;
        await advanceOverReadPrefix(channelId, userId, options);
        return fromDoc(doc, await pinnedSet(channelId));
      }),

    unreadCount: (channelId, userId) =>
      withMongo(async () => {
        const settled = settledUpTo(options);
        const from = await readPosition(channelId, userId);
        const count = await MessageModel.countDocuments(
          { channelId, ...idsAbove(from), ...unreadBy(userId) },
          { limit: UNREAD_CAP + 1 },
        );
        if (count > UNREAD_CAP) return { unreadCount: UNREAD_CAP, capped: true };
        await healReadPosition(channelId, userId, from, settled, count);
        return { unreadCount: count, capped: false };
      }),
  };
}

const storeBase: Omit<MessageStore, 'create' | 'markRead' | 'unreadCount'> = {
  kind: 'mongo',

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
        throw new StorageConflictError('Only homework messages can be graded', 'homework');
      const doc = await updateMessage(id, { $set: { gradingStatus: status } });
      return doc ? fromDoc(doc, await pinnedSet(channelId)) : undefined;
    }),

  readPosition: (channelId, userId) => withMongo(() => readPosition(channelId, userId)),

  count: (channelId) => withMongo(() => MessageModel.countDocuments({ channelId })),
};

export const mongoMessageStore = mongoMessageStoreWith(defaultReadPositionOptions);
