/**
 * Messages in Cassandra / Astra DB (shared/cassandra-schema.ts, migrations 2-4).
 *
 * Partitions are (channel_id, 10-day bucket) clustered by message_id DESC; channel_buckets lists
 * the buckets a channel has used, so history walks back through non-empty partitions only. Every
 * statement is prepared, runs at LOCAL_QUORUM (LOCAL_SERIAL for conditions), names its partition,
 * and none needs ALLOW FILTERING. Inserts write no nulls and no empty collections (no tombstones).
 *
 * Updates of an existing message (grade, read mark, delete) are conditional (`IF ...` lightweight
 * transactions) rather than read-then-write: a plain UPDATE in Cassandra is an upsert, and a read
 * followed by an update leaves a window in which a concurrent delete lets the update resurrect a
 * "ghost" row holding only the updated column. The condition is checked and applied atomically;
 * its cost (a Paxos round) is paid only on these rarer operations, never on send or history.
 */
import { types } from 'cassandra-driver';
import type { GradingStatus, Message, MessageType } from '../../../shared/schema';
import { cassandraSettings, withCassandra } from '../../db/cassandra';
import { deleteIfExists } from '../../db/cassandra-retries';
import { nextMessageId } from '../../ids';
import { StorageConflictError } from '../errors';
import { bucketOf } from './buckets';
import { sortPinnedIds, toMessage } from './dto';
import {
  type MessageStore,
  type StoredMessage,
  UNREAD_CAP,
  type UnreadCount,
} from './message-store';
import { firstFreeSlot, type PinSlot, pinsFullError } from './pins';
import {
  assertInsertInTime,
  defaultReadPositionOptions,
  type ReadPositionOptions,
  readPrefixEnd,
  settledUpTo,
} from './read-position';

const COLUMNS =
  'channel_id, message_id, author_id, content, type, file_url, is_homework, grading_status, read_by';

/**
 * A table of the configured keyspace, named in full. Statements name their keyspace instead of
 * relying on the connection's: Cassandra keys an unqualified prepared statement by the keyspace it
 * was prepared in, and on a node that serves several keyspaces (tests and benchmarks each use
 * their own) it logs "Tried to execute a prepared unqualified statement on a keyspace it was not
 * prepared on. Executing the resulting prepared statement will return unexpected results".
 */
const table = (
  name:
    | 'messages'
    | 'channel_buckets'
    | 'channel_pin_slots'
    | 'channel_pins'
    | 'channel_read_positions',
) => `${cassandraSettings().keyspace}.${name}`;

const insertCql = () =>
  `INSERT INTO ${table('messages')} (channel_id, bucket, message_id, author_id, content, type, file_url, is_homework, grading_status, read_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const insertBucketCql = () =>
  `INSERT INTO ${table('channel_buckets')} (channel_id, bucket) VALUES (?, ?)`;
const selectOneCql = () =>
  `SELECT ${COLUMNS} FROM ${table('messages')} WHERE channel_id = ? AND bucket = ? AND message_id = ?`;

/**
 * Statements the driver may send again (to the next node of its query plan) when the node it sent
 * one to fails mid-request, or the answer does not come in time: applying one twice leaves what
 * applying it once does, and the second answer means what the first would have. The driver never
 * resends a statement not marked so (and sends none twice at once: the client sets no speculative
 * execution policy). Plain inserts of a row whose key and values are fixed before the first send
 * (a message under its minted id, a bucket row) and every read are such statements.
 */
const idempotent = { isIdempotent: true } as const;

interface Row {
  channel_id: bigint;
  message_id: bigint;
  author_id: bigint;
  content: string;
  type: string;
  file_url: string | null;
  is_homework: boolean | null;
  grading_status: string | null;
  read_by: bigint[] | null;
}

function fromRow(row: Row, pinned: ReadonlySet<string>): Message {
  return toMessage(
    {
      id: row.message_id,
      channelId: Number(row.channel_id),
      authorId: Number(row.author_id),
      content: row.content,
      type: row.type as MessageType,
      fileUrl: row.file_url ?? null,
      isHomework: row.is_homework ?? false,
      gradingStatus: (row.grading_status as GradingStatus | null) ?? null,
      readBy: (row.read_by ?? []).map(Number),
    },
    pinned,
  );
}

/** `undefined` → not written at all (no tombstone), unlike null. */
const orUnset = <T>(value: T | null | undefined) => (value == null ? types.unset : value);

/**
 * Buckets this instance already recorded (keyspace, channel, bucket), so a busy channel does not
 * rewrite its bucket row per message.
 */
const knownBuckets = new Set<string>();

/**
 * Writes the message (and its bucket row first). `beforeSend`, when given, runs synchronously
 * right before the message row is sent and may refuse it by throwing (create's lateness check).
 */
async function insert(message: StoredMessage, beforeSend?: () => void): Promise<void> {
  const channel = BigInt(message.channelId);
  const bucket = bucketOf(message.id);
  await withCassandra(async (client) => {
    const key = `${table('channel_buckets')}:${message.channelId}:${bucket}`;
    // The bucket row first: history must find the bucket of any message that exists.
    if (!knownBuckets.has(key)) {
      await client.execute(insertBucketCql(), [channel, bucket], idempotent);
      knownBuckets.add(key);
    }
    beforeSend?.();
    await client.execute(
      insertCql(),
      [
        channel,
        bucket,
        message.id,
        BigInt(message.authorId),
        message.content,
        message.type,
        orUnset(message.fileUrl),
        message.isHomework,
        orUnset(message.gradingStatus),
        message.readBy.length ? message.readBy.map(BigInt) : types.unset,
      ],
      idempotent,
    );
  });
}

async function selectOne(channelId: number, id: bigint): Promise<Row | undefined> {
  return withCassandra(async (client) => {
    const result = await client.execute(
      selectOneCql(),
      [BigInt(channelId), bucketOf(id), id],
      idempotent,
    );
    return result.first() as unknown as Row | undefined;
  });
}

async function slots(channelId: number): Promise<PinSlot[]> {
  return withCassandra(async (client) => {
    const result = await client.execute(
      `SELECT slot, message_id FROM ${table('channel_pin_slots')} WHERE channel_id = ?`,
      [BigInt(channelId)],
      idempotent,
    );
    return result.rows.map((row) => ({
      slot: row.slot as number,
      messageId: row.message_id as bigint,
    }));
  });
}

async function pinnedIds(channelId: number): Promise<string[]> {
  return sortPinnedIds((await slots(channelId)).map((s) => s.messageId));
}

async function getMessage(channelId: number, id: bigint): Promise<Message | undefined> {
  const row = await selectOne(channelId, id);
  return row ? fromRow(row, new Set(await pinnedIds(channelId))) : undefined;
}

/**
 * A conditional statement (LWT): prepared, LOCAL_QUORUM, LOCAL_SERIAL, as the client is set up,
 * and idempotent. A conditional write run again after a first run that applied answers "not
 * applied" with the row's current values; each caller here reads those values and carries on from
 * them (a pin claim or slot that already holds this message, a read position already at or past
 * the target, a slot already freed), so the second run ends where the first did.
 */
const lwt = (query: string, params: unknown[]) =>
  withCassandra((client) => client.execute(query, params, idempotent));

/** The slot of a pin claim that has not chosen one yet. */
const NO_SLOT = -1;

/**
 * Gives message `id` one pin slot; StorageConflictError('pins') when all are taken.
 *
 * The message is claimed first (an LWT insert into channel_pins): concurrent pins of one message
 * all meet at that one row, the slot chosen for it is recorded there, and the choice moves only by
 * compare-and-set, so they cannot each take a different slot. Every step can be carried on by the
 * next pin of the message: a claim a crash left without its slot resumes where it stopped, and a
 * slot the message holds without a claim (an unpin that stopped halfway) is adopted, not doubled.
 */
async function takePinSlot(channelId: number, id: bigint): Promise<void> {
  const channel = BigInt(channelId);
  for (;;) {
    const claim = await lwt(
      `INSERT INTO ${table('channel_pins')} (channel_id, message_id, slot) VALUES (?, ?, ?) IF NOT EXISTS`,
      [channel, id, NO_SLOT],
    );
    let chosen: number | null = claim.wasApplied()
      ? NO_SLOT
      : ((claim.first()?.slot as number | null) ?? NO_SLOT);
    while (chosen !== null) {
      if (chosen !== NO_SLOT) {
        const taken = await lwt(
          `INSERT INTO ${table('channel_pin_slots')} (channel_id, slot, message_id) VALUES (?, ?, ?) IF NOT EXISTS`,
          [channel, chosen, id],
        );
        if (taken.wasApplied() || taken.first()?.message_id === id) {
          await releaseSlots(channelId, id, chosen);
          return;
        }
      }
      // No slot chosen yet, or another message took the chosen one first: choose.
      const current = await slots(channelId);
      const next = current.find((s) => s.messageId === id)?.slot ?? firstFreeSlot(current);
      if (next === undefined) {
        // Full: give the claim back, unless another pin of this message chose a slot meanwhile.
        const released = await lwt(
          `DELETE FROM ${table('channel_pins')} WHERE channel_id = ? AND message_id = ? IF slot = ?`,
          [channel, id, chosen],
        );
        const moved = released.wasApplied() ? null : (released.first()?.slot as number | null);
        if (moved == null) throw pinsFullError();
        chosen = moved;
        continue;
      }
      const moved = await lwt(
        `UPDATE ${table('channel_pins')} SET slot = ? WHERE channel_id = ? AND message_id = ? IF slot = ?`,
        [next, channel, id, chosen],
      );
      // Not applied: another pin of this message moved the choice first (follow it), or the
      // claim is gone (an unpin or delete ran meanwhile: claim again).
      chosen = moved.wasApplied() ? next : ((moved.first()?.slot as number | null) ?? null);
    }
  }
}

/** Unpins: the claim first, then every slot holding the message (see takePinSlot). */
async function clearPin(channelId: number, id: bigint): Promise<void> {
  await lwt(
    `DELETE FROM ${table('channel_pins')} WHERE channel_id = ? AND message_id = ? IF EXISTS`,
    [BigInt(channelId), id],
  );
  await releaseSlots(channelId, id);
}

/**
 * Frees the slots holding `id` except `keep`, each only if it still holds it (a slot may be
 * re-taken). A message holds a second slot only after a crash or a race in which a slot was freed
 * and re-chosen; this heals it on the message's next pin or unpin.
 */
async function releaseSlots(channelId: number, id: bigint, keep?: number): Promise<void> {
  for (const slot of (await slots(channelId)).filter(
    (s) => s.messageId === id && s.slot !== keep,
  )) {
    await lwt(
      `DELETE FROM ${table('channel_pin_slots')} WHERE channel_id = ? AND slot = ? IF message_id = ?`,
      [BigInt(channelId), slot.slot, id],
    );
  }
}

/** The user's read position in the channel (read-position.ts). */
async function readPosition(channelId: number, userId: number): Promise<bigint | undefined> {
  const result = await withCassandra((client) =>
    client.execute(
      `SELECT read_up_to FROM ${table('channel_read_positions')} WHERE channel_id = ? AND user_id = ?`,
      [BigInt(channelId), BigInt(userId)],
      idempotent,
    ),
  );
  return (result.first()?.read_up_to as bigint | null | undefined) ?? undefined;
}

/**
 * Moves the read position up to `upTo`, never back: compare-and-set (LWT), so of two concurrent
 * advances the higher wins whatever order they land in; a plain write could let the lower one
 * land last (still safe, but the next count would read more).
 */
async function advanceReadPosition(channelId: number, userId: number, upTo: bigint) {
  const key = [BigInt(channelId), BigInt(userId)];
  for (;;) {
    const moved = await lwt(
      `UPDATE ${table('channel_read_positions')} SET read_up_to = ? WHERE channel_id = ? AND user_id = ? IF read_up_to < ?`,
      [upTo, ...key, upTo],
    );
    // Not applied: already at or past upTo, or no position yet.
    if (moved.wasApplied() || moved.first()?.read_up_to != null) return;
    const created = await lwt(
      `INSERT INTO ${table('channel_read_positions')} (channel_id, user_id, read_up_to) VALUES (?, ?, ?) IF NOT EXISTS`,
      [...key, upTo],
    );
    if (created.wasApplied()) return;
  }
}

/** Whether the row is by the user or read by them. */
const isRead = (row: types.Row, user: bigint) =>
  row.author_id === user || ((row.read_by as bigint[] | null) ?? []).includes(user);

/**
 * The channel's messages above `after` up to `upTo`, oldest first, as read or not by the user,
 * lazily in small pages (a scan usually stops at its first row).
 */
async function* readMarksAbove(
  channelId: number,
  userId: number,
  after: bigint | undefined,
  upTo: bigint,
): AsyncGenerator<{ id: bigint; read: boolean }> {
  if (upTo < 0n) return;
  const user = BigInt(userId);
  const last = bucketOf(upTo);
  for await (const bucket of bucketsOf(
    channelId,
    after === undefined ? undefined : bucketOf(after),
    'up',
  )) {
    if (bucket > last) return;
    let pageState: string | undefined;
    do {
      const result = await withCassandra((client) =>
        client.execute(
          `SELECT message_id, author_id, read_by FROM ${table('messages')} WHERE channel_id = ? AND bucket = ? AND message_id > ? AND message_id <= ? ORDER BY message_id ASC`,
          [BigInt(channelId), bucket, after ?? -1n, upTo],
          { ...idempotent, fetchSize: 50, ...(pageState ? { pageState } : {}) },
        ),
      );
      for (const row of result.rows)
        yield { id: row.message_id as bigint, read: isRead(row, user) };
      pageState = result.pageState ?? undefined;
    } while (pageState);
  }
}

/** After a read mark: moves the position over the read prefix above it (read-position.ts). */
async function advanceOverReadPrefix(
  channelId: number,
  userId: number,
  options: ReadPositionOptions,
): Promise<void> {
  // The margin is taken before the position is read and the rows scanned (read-position.ts).
  const upTo = settledUpTo(options);
  const from = await readPosition(channelId, userId);
  const end = await readPrefixEnd(readMarksAbove(channelId, userId, from, upTo));
  if (end !== undefined) await advanceReadPosition(channelId, userId, end);
}

/** The channel's buckets from `from` downwards (newest first) or upwards, lazily, page by page. */
async function* bucketsOf(channelId: number, from: number | undefined, direction: 'down' | 'up') {
  const query =
    direction === 'down'
      ? `SELECT bucket FROM ${table('channel_buckets')} WHERE channel_id = ?${from === undefined ? '' : ' AND bucket <= ?'}`
      : `SELECT bucket FROM ${table('channel_buckets')} WHERE channel_id = ?${from === undefined ? '' : ' AND bucket >= ?'} ORDER BY bucket ASC`;
  const params = from === undefined ? [BigInt(channelId)] : [BigInt(channelId), from];
  let pageState: string | undefined;
  do {
    const result = await withCassandra((client) =>
      client.execute(query, params, {
        ...idempotent,
        fetchSize: 50,
        ...(pageState ? { pageState } : {}),
      }),
    );
    for (const row of result.rows) yield row.bucket as number;
    pageState = result.pageState ?? undefined;
  } while (pageState);
}

/**
 * The Cassandra message store, with read positions kept as `options` say (tests shorten the settle
 * margin); `cassandraMessageStore` is the one the application uses.
 */
export function cassandraMessageStoreWith(options: ReadPositionOptions): MessageStore {
  return {
    ...storeBase,

    async create(message) {
      const stored: StoredMessage = {
        ...message,
        id: await nextMessageId(),
        gradingStatus: null,
        readBy: [],
      };
      // Checked after the bucket row, which may have taken long; a bucket row alone is harmless.
      await insert(stored, () => assertInsertInTime(options, stored.id, 'cassandra'));
      return toMessage(stored, new Set());
    },

    markRead: (channelId, id, userId) => markRead(channelId, id, userId, options),
    unreadCount: (channelId, userId) => unreadCount(channelId, userId, options),
  };
}

const storeBase: Omit<MessageStore, 'create' | 'markRead' | 'unreadCount'> = {
  kind: 'cassandra',

  put: (message) => insert(message),

  get: getMessage,

  async history(channelId, { limit, before, after }) {
    const newestFirst = after === undefined;
    const start = newestFirst
      ? before === undefined
        ? undefined
        : bucketOf(before)
      : bucketOf(after);
    const end = newestFirst ? undefined : before === undefined ? undefined : bucketOf(before);
    const rows: Row[] = [];
    for await (const bucket of bucketsOf(channelId, start, newestFirst ? 'down' : 'up')) {
      if (end !== undefined && bucket > end) break;
      const bounds = [
        ...(before === undefined ? [] : [' AND message_id < ?']),
        ...(after === undefined ? [] : [' AND message_id > ?']),
      ].join('');
      const query = `SELECT ${COLUMNS} FROM ${table('messages')} WHERE channel_id = ? AND bucket = ?${bounds}${newestFirst ? '' : ' ORDER BY message_id ASC'} LIMIT ?`;
      const params = [
        BigInt(channelId),
        bucket,
        ...(before === undefined ? [] : [before]),
        ...(after === undefined ? [] : [after]),
        limit - rows.length,
      ];
      const result = await withCassandra((client) => client.execute(query, params, idempotent));
      rows.push(...(result.rows as unknown as Row[]));
      if (rows.length >= limit) break;
    }
    if (newestFirst) rows.reverse();
    const pinned = new Set(await pinnedIds(channelId));
    return rows.map((row) => fromRow(row, pinned));
  },

  async delete(channelId, id) {
    const deleted = await deleteIfExists(() =>
      withCassandra((client) =>
        client.execute(
          `DELETE FROM ${table('messages')} WHERE channel_id = ? AND bucket = ? AND message_id = ? IF EXISTS`,
          [BigInt(channelId), bucketOf(id), id],
          { isIdempotent: false },
        ),
      ),
    );
    // Always, even when the message was already gone: a retried delete heals a lost unpin.
    await clearPin(channelId, id);
    return deleted;
  },

  async pin(channelId, id) {
    if (!(await selectOne(channelId, id))) return undefined;
    await takePinSlot(channelId, id);
    // A delete that ran meanwhile found no pin to clear: clear ours, and say not found.
    if (!(await selectOne(channelId, id))) {
      await clearPin(channelId, id);
      return undefined;
    }
    return pinnedIds(channelId);
  },

  async unpin(channelId, id) {
    // Cleared first and unconditionally, so a pin left behind by a deleted message can go too.
    await clearPin(channelId, id);
    if (!(await selectOne(channelId, id))) return undefined;
    return pinnedIds(channelId);
  },

  pinnedIds,

  async pinned(channelId) {
    const ids = await pinnedIds(channelId);
    const rows = await Promise.all(ids.map((id) => selectOne(channelId, BigInt(id))));
    const pinned = new Set(ids);
    return rows.filter((row): row is Row => row !== undefined).map((row) => fromRow(row, pinned));
  },

  async grade(channelId, id, status) {
    // Run twice, it sets the same status and its condition answers the same.
    const result = await lwt(
      `UPDATE ${table('messages')} SET grading_status = ? WHERE channel_id = ? AND bucket = ? AND message_id = ? IF is_homework = true`,
      [status, BigInt(channelId), bucketOf(id), id],
    );
    if (!result.wasApplied()) {
      // The condition's answer tells "no such row" (no is_homework) from "not homework" (false).
      if (result.first()?.is_homework === false) {
        throw new StorageConflictError('Only homework messages can be graded', 'homework');
      }
      return undefined;
    }
    return getMessage(channelId, id);
  },

  readPosition,

  async count(channelId) {
    let total = 0;
    for await (const bucket of bucketsOf(channelId, undefined, 'down')) {
      const result = await withCassandra((client) =>
        client.execute(
          `SELECT COUNT(*) AS n FROM ${table('messages')} WHERE channel_id = ? AND bucket = ?`,
          [BigInt(channelId), bucket],
          idempotent,
        ),
      );
      total += Number(result.first()?.n ?? 0);
    }
    return total;
  },
};

export const cassandraMessageStore = cassandraMessageStoreWith(defaultReadPositionOptions);

async function markRead(
  channelId: number,
  id: bigint,
  userId: number,
  options: ReadPositionOptions,
): Promise<Message | undefined> {
  // read_by is a set: adding the user twice leaves one entry (a list append would not be idempotent).
  const result = await lwt(
    `UPDATE ${table('messages')} SET read_by = read_by + ? WHERE channel_id = ? AND bucket = ? AND message_id = ? IF EXISTS`,
    [[BigInt(userId)], BigInt(channelId), bucketOf(id), id],
  );
  if (!result.wasApplied()) return undefined;
  await advanceOverReadPrefix(channelId, userId, options);
  return getMessage(channelId, id);
}

async function unreadCount(
  channelId: number,
  userId: number,
  options: ReadPositionOptions,
): Promise<UnreadCount> {
  const user = BigInt(userId);
  const settled = settledUpTo(options);
  // Only messages above the read position: newest bucket first, down to the position's.
  const from = await readPosition(channelId, userId);
  const lowest = from === undefined ? undefined : bucketOf(from);
  let count = 0;
  // The highest settled message below every unread one seen so far: the read prefix's end once
  // every message above the position has been seen.
  let prefixEnd: bigint | undefined;
  for await (const bucket of bucketsOf(channelId, undefined, 'down')) {
    if (lowest !== undefined && bucket < lowest) break;
    let pageState: string | undefined;
    do {
      const result = await withCassandra((client) =>
        client.execute(
          `SELECT message_id, author_id, read_by FROM ${table('messages')} WHERE channel_id = ? AND bucket = ? AND message_id > ?`,
          [BigInt(channelId), bucket, from ?? -1n],
          { ...idempotent, fetchSize: 1_000, ...(pageState ? { pageState } : {}) },
        ),
      );
      for (const row of result.rows) {
        const id = row.message_id as bigint;
        if (!isRead(row, user)) {
          count += 1;
          prefixEnd = undefined;
        } else if (prefixEnd === undefined && id <= settled) prefixEnd = id;
      }
      if (count > UNREAD_CAP) return { unreadCount: UNREAD_CAP, capped: true };
      pageState = result.pageState ?? undefined;
    } while (pageState);
  }
  if (prefixEnd !== undefined) await advanceReadPosition(channelId, userId, prefixEnd);
  return { unreadCount: count, capped: false };
}
