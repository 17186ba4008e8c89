/**
 * THE contract of a message store, run against both implementations (message-store-cassandra and
 * message-store-mongo test files). Anything a client can observe must be identical.
 */
import { describe, expect, it } from 'vitest';
import { DatabaseUnavailableError } from '../../lib/db/errors';
import { makeSnowflake } from '../../lib/ids/snowflake';
import { StorageConflictError } from '../../lib/storage/errors';
import { BUCKET_MS } from '../../lib/storage/messages/buckets';
import {
  MAX_PINS,
  type MessageStore,
  type NewMessage,
  type StoredMessage,
  UNREAD_CAP,
} from '../../lib/storage/messages/message-store';
import {
  MAX_ADVANCE_ROWS,
  type ReadPositionOptions,
} from '../../lib/storage/messages/read-position';
import type { Message } from '../../shared/schema';

let nextChannel = 1_000 + Math.floor(Math.random() * 1_000_000);
/** A channel id no other test uses (the stores are shared within a file). */
const freshChannel = () => (nextChannel += 1);

const message = (channelId: number, overrides: Partial<NewMessage> = {}): NewMessage => ({
  channelId,
  authorId: 1,
  content: 'hello',
  type: 'text',
  fileUrl: null,
  isHomework: false,
  ...overrides,
});

/** A stored message at a chosen time, for history that spans days or buckets. */
function storedAt(
  channelId: number,
  timeMs: number,
  sequence: number,
  authorId = 2,
): StoredMessage {
  return {
    ...message(channelId, { authorId, content: `at ${timeMs}/${sequence}` }),
    id: makeSnowflake(timeMs, 1_023, sequence),
    gradingStatus: null,
    readBy: [],
  };
}

const ids = (messages: Message[]) => messages.map((m) => m.id);
const ascending = (values: string[]) =>
  [...values].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));

/** Every page of a channel walking back from the newest, joined oldest to newest. */
async function walkBackwards(
  store: MessageStore,
  channelId: number,
  limit: number,
): Promise<string[]> {
  const pages: string[][] = [];
  let before: bigint | undefined;
  for (;;) {
    const page = await store.history(channelId, {
      limit,
      ...(before === undefined ? {} : { before }),
    });
    if (page.length === 0) break;
    expect(page.length).toBeLessThanOrEqual(limit);
    pages.unshift(ids(page));
    before = BigInt(page[0]?.id as string);
  }
  return pages.flat();
}

/** Every page walking forward from the start. */
async function walkForwards(
  store: MessageStore,
  channelId: number,
  limit: number,
): Promise<string[]> {
  const all: string[] = [];
  let after = 0n;
  for (;;) {
    const page = await store.history(channelId, { limit, after });
    if (page.length === 0) break;
    all.push(...ids(page));
    after = BigInt(page[page.length - 1]?.id as string);
  }
  return all;
}

/**
 * `store` is the store as the application uses it; `storeWith` builds one keeping read positions
 * with other options (a settle margin of 0 lets messages just sent be passed, one of an hour
 * stands for messages too recent to pass), over the same data.
 */
export function messageStoreContract(
  name: string,
  store: () => MessageStore,
  storeWith: (options: ReadPositionOptions) => MessageStore,
): void {
  /**
   * Passes messages however recent: what `store` does once READ_SETTLE_MS has gone by. For
   * reading only: with no margin, every message it creates is late and refused.
   */
  const settledStore = () => storeWith({ settleMs: 0 });
  describe(`${name} message store contract`, () => {
    it('creates a message with a Snowflake string id and its creation time', async () => {
      const channelId = freshChannel();
      const before = Date.now();
      const created = await store().create(
        message(channelId, {
          content: 'first',
          type: 'file',
          fileUrl: 'https://x.test/f.pdf',
          isHomework: true,
        }),
      );
      expect(created).toMatchObject({
        channelId,
        authorId: 1,
        content: 'first',
        type: 'file',
        fileUrl: 'https://x.test/f.pdf',
        isPinned: false,
        isHomework: true,
        gradingStatus: null,
        readBy: [],
      });
      expect(created.id).toMatch(/^[1-9][0-9]{9,18}$/);
      expect(created.createdAt.getTime()).toBeGreaterThanOrEqual(before - 5);
      expect(created.createdAt.getTime()).toBeLessThanOrEqual(Date.now() + 5);
      expect(await store().get(channelId, BigInt(created.id))).toEqual(created);
    });

    it('refuses (503) to insert a message minted longer ago than the settle margin allows, storing nothing', async () => {
      // A store whose read positions pass messages however recent: any id it mints is already
      // older than its margin (less the slack) by the time the insert would be sent. In
      // production that is an insert resumed after a freeze, minutes after its id was minted.
      const channelId = freshChannel();
      const late = settledStore().create(message(channelId, { content: 'too late' }));
      await expect(late).rejects.toBeInstanceOf(DatabaseUnavailableError);
      expect(await store().history(channelId, { limit: 10 })).toEqual([]);
      expect(await settledStore().unreadCount(channelId, 5)).toEqual({
        unreadCount: 0,
        capped: false,
      });
      // The channel is not left broken: a message sent in time is stored and counted.
      const sent = await store().create(message(channelId, { content: 'in time' }));
      expect(ids(await store().history(channelId, { limit: 10 }))).toEqual([sent.id]);
      expect(await store().unreadCount(channelId, 5)).toEqual({ unreadCount: 1, capped: false });
    });

    it('returns the newest page oldest to newest, and respects limit', async () => {
      const channelId = freshChannel();
      const created: Message[] = [];
      for (let i = 0; i < 12; i += 1)
        created.push(await store().create(message(channelId, { content: `m${i}` })));
      const page = await store().history(channelId, { limit: 5 });
      expect(ids(page)).toEqual(ids(created.slice(-5)));
      expect((await store().history(channelId, { limit: 50 })).map((m) => m.content)).toEqual(
        created.map((m) => m.content),
      );
      expect(await store().history(freshChannel(), { limit: 10 })).toEqual([]);
    });

    it('pages through a burst of same-millisecond ids in both directions without loss or repeats', async () => {
      const channelId = freshChannel();
      const created = await Promise.all(
        Array.from({ length: 120 }, (_, i) =>
          store().create(message(channelId, { content: `b${i}` })),
        ),
      );
      const times = created.map((m) => m.createdAt.getTime());
      expect(new Set(times).size).toBeLessThan(times.length); // there really were shared milliseconds
      const expected = ascending(ids(created));
      expect(await walkBackwards(store(), channelId, 7)).toEqual(expected);
      expect(await walkForwards(store(), channelId, 7)).toEqual(expected);
    });

    it('pages across bucket boundaries and skips empty buckets', async () => {
      const channelId = freshChannel();
      const now = Date.now();
      // Three buckets with messages, separated by empty ones.
      const messages = [
        ...[0, 1, 2].map((s) => storedAt(channelId, now - 7 * BUCKET_MS, s)),
        ...[0, 1].map((s) => storedAt(channelId, now - 3 * BUCKET_MS, s)),
        ...[0, 1, 2, 3].map((s) => storedAt(channelId, now - 1_000, s)),
      ];
      for (const m of messages) await store().put(m);
      const expected = messages.map((m) => m.id.toString());
      expect(await store().count(channelId)).toBe(messages.length);
      expect(await walkBackwards(store(), channelId, 2)).toEqual(expected);
      expect(await walkForwards(store(), channelId, 2)).toEqual(expected);
      expect(ids(await store().history(channelId, { limit: 4 }))).toEqual(expected.slice(-4));
      // before and after together: the oldest page inside the window.
      const window = await store().history(channelId, {
        limit: 3,
        after: BigInt(expected[1] as string),
        before: BigInt(expected[7] as string),
      });
      expect(ids(window)).toEqual(expected.slice(2, 5));
      expect(window.map((m) => m.createdAt.getTime())).toEqual(
        messages.slice(2, 5).map((m) => Number((m.id >> 22n) + 1_704_067_200_000n)),
      );
    });

    it('treats cursors as exclusive and returns nothing past either end', async () => {
      const channelId = freshChannel();
      const [a, b, c] = [
        await store().create(message(channelId)),
        await store().create(message(channelId)),
        await store().create(message(channelId)),
      ] as [Message, Message, Message];
      expect(ids(await store().history(channelId, { limit: 10, before: BigInt(b.id) }))).toEqual([
        a.id,
      ]);
      expect(ids(await store().history(channelId, { limit: 10, after: BigInt(b.id) }))).toEqual([
        c.id,
      ]);
      expect(await store().history(channelId, { limit: 10, before: BigInt(a.id) })).toEqual([]);
      expect(await store().history(channelId, { limit: 10, after: BigInt(c.id) })).toEqual([]);
    });

    it('deletes a message once; a missing or foreign id is not found', async () => {
      const channelId = freshChannel();
      const kept = await store().create(message(channelId, { content: 'kept' }));
      const gone = await store().create(message(channelId, { content: 'gone' }));
      expect(await store().delete(freshChannel(), BigInt(gone.id))).toBe(false);
      expect(await store().delete(channelId, BigInt(gone.id))).toBe(true);
      expect(await store().delete(channelId, BigInt(gone.id))).toBe(false);
      expect(await store().get(channelId, BigInt(gone.id))).toBeUndefined();
      expect(ids(await store().history(channelId, { limit: 10 }))).toEqual([kept.id]);
      expect(await store().count(channelId)).toBe(1);
    });

    it('pins and unpins: newest first, idempotent, reflected in isPinned, cleared by delete', async () => {
      const channelId = freshChannel();
      const [m1, m2, m3] = [
        await store().create(message(channelId)),
        await store().create(message(channelId)),
        await store().create(message(channelId)),
      ] as [Message, Message, Message];
      expect(await store().pin(channelId, BigInt(m1.id))).toEqual([m1.id]);
      expect(await store().pin(channelId, BigInt(m3.id))).toEqual([m3.id, m1.id]);
      expect(await store().pin(channelId, BigInt(m3.id))).toEqual([m3.id, m1.id]);
      expect(ids(await store().pinned(channelId))).toEqual([m3.id, m1.id]);
      expect((await store().pinned(channelId)).every((m) => m.isPinned)).toBe(true);
      const page = await store().history(channelId, { limit: 10 });
      expect(page.map((m) => m.isPinned)).toEqual([true, false, true]);
      expect(await store().unpin(channelId, BigInt(m3.id))).toEqual([m1.id]);
      expect(await store().unpin(channelId, BigInt(m2.id))).toEqual([m1.id]);
      expect(await store().delete(channelId, BigInt(m1.id))).toBe(true);
      expect(await store().pinnedIds(channelId)).toEqual([]);
    });

    it('does not pin a message that does not exist or belongs to another channel', async () => {
      const channelId = freshChannel();
      const other = await store().create(message(freshChannel()));
      expect(await store().pin(channelId, BigInt(other.id))).toBeUndefined();
      expect(await store().pin(channelId, 123_456_789n)).toBeUndefined();
      expect(await store().unpin(channelId, 123_456_789n)).toBeUndefined();
      expect(await store().pinnedIds(channelId)).toEqual([]);
    });

    it(`holds the ${MAX_PINS}-pin cap, also under concurrent pins`, async () => {
      const channelId = freshChannel();
      const created = await Promise.all(
        Array.from({ length: MAX_PINS + 10 }, () => store().create(message(channelId))),
      );
      for (const m of created.slice(0, MAX_PINS - 5)) await store().pin(channelId, BigInt(m.id));
      const results = await Promise.allSettled(
        created.slice(MAX_PINS - 5).map((m) => store().pin(channelId, BigInt(m.id))),
      );
      const refused = results.filter((r) => r.status === 'rejected');
      expect(refused).toHaveLength(10);
      for (const r of refused)
        expect((r as PromiseRejectedResult).reason).toBeInstanceOf(StorageConflictError);
      expect(await store().pinnedIds(channelId)).toHaveLength(MAX_PINS);
    });

    it('gives a message pinned 20 times at once one pin and one slot, while others are unpinned', async () => {
      const channelId = freshChannel();
      const targets: Message[] = [];
      for (let i = 0; i < 10; i += 1) targets.push(await store().create(message(channelId)));
      const others = await Promise.all(
        Array.from({ length: MAX_PINS }, () => store().create(message(channelId))),
      );
      const [freed, ...rest] = others as [Message, ...Message[]];
      for (const [round, target] of targets.entries()) {
        await store().pin(channelId, BigInt(freed.id)); // the lowest free slot
        // A slot freed while a message is pinned 20 times at once makes those pins read
        // different free slots: without one claim per message, two of them could each take one.
        const unpin = store().unpin(channelId, BigInt(freed.id));
        const pins: Promise<string[] | undefined>[] = [];
        for (let i = 0; i < 20; i += 1) {
          pins.push(store().pin(channelId, BigInt(target.id)));
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
        await unpin;
        for (const pinned of await Promise.all(pins)) expect(pinned).toContain(target.id);
        expect(await store().pinnedIds(channelId)).toEqual(
          ids(targets.slice(0, round + 1)).reverse(),
        );
      }
      // One slot each: 40 other messages still fit, and the 51st distinct one does not.
      for (const m of rest.slice(0, MAX_PINS - targets.length))
        await store().pin(channelId, BigInt(m.id));
      expect(await store().pinnedIds(channelId)).toHaveLength(MAX_PINS);
      await expect(
        store().pin(channelId, BigInt((rest[MAX_PINS - targets.length] as Message).id)),
      ).rejects.toBeInstanceOf(StorageConflictError);
    });

    it('never keeps a pin of a message deleted while it was being pinned', async () => {
      const channelId = freshChannel();
      const created = await Promise.all(
        Array.from({ length: 15 }, () => store().create(message(channelId))),
      );
      await Promise.all(
        created.flatMap((m) => [
          store().pin(channelId, BigInt(m.id)),
          store().delete(channelId, BigInt(m.id)),
        ]),
      );
      expect(await store().history(channelId, { limit: 50 })).toEqual([]);
      expect(await store().pinnedIds(channelId)).toEqual([]);
    });

    it('lets unpin clear a pin whose message is gone, and still answers not found', async () => {
      const channelId = freshChannel();
      const m = await store().create(message(channelId));
      await store().pin(channelId, BigInt(m.id));
      await store().delete(channelId, BigInt(m.id));
      expect(await store().unpin(channelId, BigInt(m.id))).toBeUndefined();
      expect(await store().delete(channelId, BigInt(m.id))).toBe(false);
      expect(await store().pinnedIds(channelId)).toEqual([]);
    });

    it('grades homework only, and returns the real updated message', async () => {
      const channelId = freshChannel();
      const homework = await store().create(
        message(channelId, { isHomework: true, content: 'essay' }),
      );
      const chat = await store().create(message(channelId));
      const graded = await store().grade(channelId, BigInt(homework.id), 'graded');
      expect(graded).toEqual({ ...homework, gradingStatus: 'graded' });
      expect((await store().get(channelId, BigInt(homework.id)))?.gradingStatus).toBe('graded');
      await expect(store().grade(channelId, BigInt(chat.id), 'graded')).rejects.toBeInstanceOf(
        StorageConflictError,
      );
      expect(await store().grade(channelId, 987_654_321n, 'pending')).toBeUndefined();
      expect(await store().history(channelId, { limit: 10 })).toHaveLength(2); // no ghost row
    });

    it('marks read idempotently and never creates a ghost row', async () => {
      const channelId = freshChannel();
      const m = await store().create(message(channelId));
      expect((await store().markRead(channelId, BigInt(m.id), 7))?.readBy).toEqual([7]);
      expect((await store().markRead(channelId, BigInt(m.id), 7))?.readBy).toEqual([7]);
      expect((await store().markRead(channelId, BigInt(m.id), 3))?.readBy).toEqual([3, 7]);
      expect(await store().markRead(channelId, 555n, 7)).toBeUndefined();
      expect(await store().markRead(freshChannel(), BigInt(m.id), 7)).toBeUndefined();
      expect(await store().history(channelId, { limit: 10 })).toHaveLength(1);
    });

    it('counts unread messages by others exactly', async () => {
      const channelId = freshChannel();
      const mine = await store().create(message(channelId, { authorId: 5 }));
      const theirs = await Promise.all(
        [6, 7, 6].map((authorId) => store().create(message(channelId, { authorId }))),
      );
      expect(await store().unreadCount(channelId, 5)).toEqual({ unreadCount: 3, capped: false });
      await store().markRead(channelId, BigInt(theirs[0]?.id as string), 5);
      expect(await store().unreadCount(channelId, 5)).toEqual({ unreadCount: 2, capped: false });
      expect(await store().unreadCount(channelId, 6)).toEqual({ unreadCount: 2, capped: false });
      await store().markRead(channelId, BigInt(mine.id), 5); // reading one's own changes nothing
      expect(await store().unreadCount(channelId, 5)).toEqual({ unreadCount: 2, capped: false });
    });

    it(`is exact up to ${UNREAD_CAP} unread, then capped`, async () => {
      const channelId = freshChannel();
      const start = Date.now() - 2 * BUCKET_MS;
      const put = (count: number, offset: number) =>
        Promise.all(
          Array.from({ length: count }, (_, i) =>
            store().put(storedAt(channelId, start + offset + i, 0)),
          ),
        );
      await put(UNREAD_CAP, 0);
      expect(await store().unreadCount(channelId, 1)).toEqual({
        unreadCount: UNREAD_CAP,
        capped: false,
      });
      await put(5, BUCKET_MS + 10_000); // the rest in a later bucket
      expect(await store().unreadCount(channelId, 1)).toEqual({
        unreadCount: UNREAD_CAP,
        capped: true,
      });
    });

    it('reads only the message marked: older ones stay unread until marked themselves', async () => {
      const channelId = freshChannel();
      const now = Date.now();
      // Two messages by others in each of three buckets, and one by the reader (5) in each.
      const at = (bucketsAgo: number, sequence: number, authorId = 2) =>
        storedAt(channelId, now - bucketsAgo * BUCKET_MS, sequence, authorId);
      const [a1, a2, mineA, b1, b2, mineB, c1, c2, mineC] = [
        at(4, 0),
        at(4, 1),
        at(4, 2, 5),
        at(2, 0),
        at(2, 1),
        at(2, 2, 5),
        at(0, 0),
        at(0, 1),
        at(0, 2, 5),
      ] as StoredMessage[];
      for (const m of [a1, a2, mineA, b1, b2, mineB, c1, c2, mineC])
        await store().put(m as StoredMessage);
      const reader = settledStore();
      const unread = () => reader.unreadCount(channelId, 5);
      expect(await unread()).toEqual({ unreadCount: 6, capped: false });
      // A newer message marked: the older ones stay unread, and readBy records that one.
      await reader.markRead(channelId, (b1 as StoredMessage).id, 5);
      expect(await unread()).toEqual({ unreadCount: 5, capped: false });
      expect((await reader.get(channelId, (a1 as StoredMessage).id))?.readBy).toEqual([]);
      expect(await reader.readPosition(channelId, 5)).toBeUndefined();
      // The gap marked later: each mark reads its message, and the position follows the prefix.
      await reader.markRead(channelId, (a1 as StoredMessage).id, 5);
      expect(await unread()).toEqual({ unreadCount: 4, capped: false });
      expect(await reader.readPosition(channelId, 5)).toBe((a1 as StoredMessage).id);
      await reader.markRead(channelId, (a2 as StoredMessage).id, 5);
      expect(await unread()).toEqual({ unreadCount: 3, capped: false });
      // Past a2, the reader's own message and b1 (read before): up to b2, the first unread.
      expect(await reader.readPosition(channelId, 5)).toBe((b1 as StoredMessage).id);
      // Newer ones out of order, then the last gap.
      await reader.markRead(channelId, (c2 as StoredMessage).id, 5);
      await reader.markRead(channelId, (c1 as StoredMessage).id, 5);
      expect(await unread()).toEqual({ unreadCount: 1, capped: false });
      await reader.markRead(channelId, (b2 as StoredMessage).id, 5);
      expect(await unread()).toEqual({ unreadCount: 0, capped: false });
      expect(await reader.readPosition(channelId, 5)).toBe((mineC as StoredMessage).id);
      // Another member's reading is theirs alone; a mark of a message not there changes nothing.
      expect(await reader.unreadCount(channelId, 6)).toEqual({ unreadCount: 9, capped: false });
      expect(await reader.markRead(channelId, 555n, 6)).toBeUndefined();
      expect(await reader.markRead(freshChannel(), (c2 as StoredMessage).id, 6)).toBeUndefined();
      expect(await reader.unreadCount(channelId, 6)).toEqual({ unreadCount: 9, capped: false });
      expect(await reader.readPosition(channelId, 6)).toBeUndefined();
    });

    it("keeps a full reader's count exact as messages by others arrive and are read", async () => {
      const channelId = freshChannel();
      const reader = settledStore();
      for (let round = 0; round < 3; round += 1) {
        const theirs = await store().create(message(channelId, { authorId: 2 }));
        await store().create(message(channelId, { authorId: 5 }));
        expect(await reader.unreadCount(channelId, 5)).toEqual({ unreadCount: 1, capped: false });
        expect(await store().unreadCount(channelId, 5)).toEqual({ unreadCount: 1, capped: false });
        await reader.markRead(channelId, BigInt(theirs.id), 5);
        expect(await reader.unreadCount(channelId, 5)).toEqual({ unreadCount: 0, capped: false });
        expect(await store().unreadCount(channelId, 5)).toEqual({ unreadCount: 0, capped: false });
      }
      const newest = (await store().history(channelId, { limit: 1 }))[0] as Message;
      expect(await reader.readPosition(channelId, 5)).toBe(BigInt(newest.id));
      // A message deleted below the position changes nothing.
      await store().delete(channelId, BigInt(newest.id));
      expect(await store().unreadCount(channelId, 5)).toEqual({ unreadCount: 0, capped: false });
    });

    it('ends exact, its position at the read prefix, when marks run at once in any order', async () => {
      const channelId = freshChannel();
      const created: Message[] = [];
      for (let i = 0; i < 30; i += 1)
        created.push(await store().create(message(channelId, { authorId: i % 3 === 0 ? 8 : 2 })));
      const theirs = created.filter((m) => m.authorId === 2);
      const shuffled = (list: Message[]) =>
        list
          .map((m) => ({ m, key: Math.random() }))
          .sort((x, y) => x.key - y.key)
          .map(({ m }) => m);
      const gap = theirs[7] as Message;
      const reader = settledStore();
      await Promise.all(
        shuffled(theirs.filter((m) => m !== gap)).map((m) =>
          reader.markRead(channelId, BigInt(m.id), 8),
        ),
      );
      expect(await store().unreadCount(channelId, 8)).toEqual({ unreadCount: 1, capped: false });
      // Up to the message just before the one left unread, whatever order the marks landed in.
      const beforeGap = created[created.indexOf(gap) - 1] as Message;
      expect(await reader.readPosition(channelId, 8)).toBe(BigInt(beforeGap.id));
      await reader.markRead(channelId, BigInt(gap.id), 8);
      expect(await store().unreadCount(channelId, 8)).toEqual({ unreadCount: 0, capped: false });
      expect(await reader.readPosition(channelId, 8)).toBe(BigInt((created[29] as Message).id));
      await store().create(message(channelId, { authorId: 2 }));
      expect(await store().unreadCount(channelId, 8)).toEqual({ unreadCount: 1, capped: false });
    });

    it('counts a message stored after the position moved, minted before it (recent ids are not passed)', async () => {
      const channelId = freshChannel();
      const now = Date.now();
      const old = storedAt(channelId, now - 3_600_000 * 2, 0);
      const [recent1, late, recent3] = [60_000, 45_000, 30_000].map((ago) =>
        storedAt(channelId, now - ago, 0),
      ) as StoredMessage[];
      for (const m of [old, recent1, recent3]) await store().put(m as StoredMessage);
      // Read everything while the recent messages are still within the settle margin.
      const margin = storeWith({ settleMs: 3_600_000 });
      for (const m of [old, recent1, recent3])
        await margin.markRead(channelId, (m as StoredMessage).id, 5);
      expect(await margin.unreadCount(channelId, 5)).toEqual({ unreadCount: 0, capped: false });
      expect(await margin.readPosition(channelId, 5)).toBe(old.id);
      // A message minted between the recent ones (another instance, a slow request) lands now.
      await store().put(late as StoredMessage);
      expect(await margin.unreadCount(channelId, 5)).toEqual({ unreadCount: 1, capped: false });
      // Once they are settled, a count that saw everything above the position moves it up to
      // the message below the unread one; the count stays exact.
      expect(await settledStore().unreadCount(channelId, 5)).toEqual({
        unreadCount: 1,
        capped: false,
      });
      expect(await margin.readPosition(channelId, 5)).toBe((recent1 as StoredMessage).id);
      expect(await store().unreadCount(channelId, 5)).toEqual({ unreadCount: 1, capped: false });
    });

    it(`moves the position over at most ${MAX_ADVANCE_ROWS} messages per mark; a count goes on`, async () => {
      const channelId = freshChannel();
      const start = Date.now() - 3_600_000;
      // Read before positions existed (as migrated): readBy only.
      const all = Array.from({ length: MAX_ADVANCE_ROWS + 100 }, (_, i) => ({
        ...storedAt(channelId, start + i, 0),
        readBy: [5],
      }));
      for (let i = 0; i < all.length; i += 50)
        await Promise.all(all.slice(i, i + 50).map((m) => store().put(m)));
      const reader = settledStore();
      await reader.markRead(channelId, (all[0] as StoredMessage).id, 5);
      expect(await reader.readPosition(channelId, 5)).toBe(
        (all[MAX_ADVANCE_ROWS - 1] as StoredMessage).id,
      );
      expect(await reader.unreadCount(channelId, 5)).toEqual({ unreadCount: 0, capped: false });
      expect(await reader.readPosition(channelId, 5)).toBe((all.at(-1) as StoredMessage).id);
      // 600 writes and a 500-row scan: FerretDB on a loaded 2-core machine needs over the usual 30 s.
    }, 120_000);

    it('stores a migrated message with its id and state unchanged; re-putting is idempotent', async () => {
      const channelId = freshChannel();
      const original: StoredMessage = {
        ...storedAt(channelId, Date.now() - 60_000, 9, 4),
        isHomework: true,
        gradingStatus: 'graded',
        readBy: [9, 2],
      };
      await store().put(original);
      await store().put(original);
      const read = await store().get(channelId, original.id);
      expect(read).toMatchObject({
        id: original.id.toString(),
        authorId: 4,
        isHomework: true,
        gradingStatus: 'graded',
        readBy: [2, 9],
      });
      expect(await store().history(channelId, { limit: 10 })).toHaveLength(1);
    });
  });
}
