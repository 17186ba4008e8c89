/** The message-store contract against the Cassandra store. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetConfig } from '../../lib/config';
import { closeCassandra, withCassandra } from '../../lib/db/cassandra';
import { closeDynamo } from '../../lib/db/dynamo';
import { StorageConflictError } from '../../lib/storage/errors';
import {
  cassandraMessageStore,
  cassandraMessageStoreWith,
} from '../../lib/storage/messages/cassandra-message-store';
import { MAX_PINS } from '../../lib/storage/messages/message-store';
import { type IsolatedEnv, useIsolatedEnv } from '../helpers/isolated-env';
import { messageStoreContract } from './message-store-contract';

let home: IsolatedEnv;

beforeAll(async () => {
  home = await useIsolatedEnv('msg-cassandra', { mongoIndexes: false });
});
afterAll(async () => {
  await closeCassandra();
  closeDynamo();
});

messageStoreContract('cassandra', () => cassandraMessageStore, cassandraMessageStoreWith);

describe('cassandra message store: keyspace', () => {
  it('names the configured keyspace in its statements, whatever keyspace the session is on', async () => {
    const channelId = 4_242;
    // A client connected to (and whose session is on) the first keyspace...
    await cassandraMessageStore.history(channelId, { limit: 1 });
    // ...then another keyspace configured, with that client still open.
    const other = await useIsolatedEnv('msg-cassandra-other', { mongoIndexes: false });
    try {
      const sent = await cassandraMessageStore.create({
        channelId,
        authorId: 7,
        content: 'to the configured keyspace',
        type: 'text',
        fileUrl: null,
        isHomework: false,
      });
      /** Messages of the channel stored in `keyspace`, read with statements naming it. */
      const storedIn = (keyspace: string) =>
        withCassandra(async (client) => {
          const buckets = await client.execute(
            `SELECT bucket FROM ${keyspace}.channel_buckets WHERE channel_id = ?`,
            [BigInt(channelId)],
          );
          let stored = 0;
          for (const { bucket } of buckets.rows) {
            const result = await client.execute(
              `SELECT COUNT(*) AS n FROM ${keyspace}.messages WHERE channel_id = ? AND bucket = ?`,
              [BigInt(channelId), bucket],
            );
            stored += Number(result.first()?.n ?? 0);
          }
          return stored;
        });
      expect(await storedIn(other.id)).toBe(1);
      expect(await storedIn(home.id)).toBe(0);
      expect((await cassandraMessageStore.get(channelId, BigInt(sent.id)))?.content).toBe(
        'to the configured keyspace',
      );
    } finally {
      Object.assign(process.env, home.env);
      resetConfig();
    }
  });
});

describe('cassandra message store: pin leftovers of a crash heal on the next pin or unpin', () => {
  let channelId = 90_000 + Math.floor(Math.random() * 1_000_000);
  const cql = (query: string, params: unknown[] = []) =>
    withCassandra((client) => client.execute(query, params));
  /** The slots (slot -> message) and claims (message -> chosen slot) of the channel, raw. */
  async function pinRows(channel: number) {
    const slots = await cql(
      `SELECT slot, message_id FROM ${home.id}.channel_pin_slots WHERE channel_id = ?`,
      [BigInt(channel)],
    );
    const claims = await cql(
      `SELECT message_id, slot FROM ${home.id}.channel_pins WHERE channel_id = ?`,
      [BigInt(channel)],
    );
    return {
      slots: slots.rows.map((r) => [r.slot as number, String(r.message_id)]),
      claims: claims.rows.map((r) => [String(r.message_id), r.slot as number]),
    };
  }
  async function fresh() {
    channelId += 1;
    const m = await cassandraMessageStore.create({
      channelId,
      authorId: 1,
      content: 'pin me',
      type: 'text',
      fileUrl: null,
      isHomework: false,
    });
    return { channel: channelId, id: BigInt(m.id), m: m.id };
  }
  const claim = (channel: number, id: bigint, slot: number) =>
    cql(
      `INSERT INTO ${home.id}.channel_pins (channel_id, message_id, slot) VALUES (?, ?, ?) IF NOT EXISTS`,
      [BigInt(channel), id, slot],
    );
  const takeSlot = (channel: number, slot: number, id: bigint) =>
    cql(
      `INSERT INTO ${home.id}.channel_pin_slots (channel_id, slot, message_id) VALUES (?, ?, ?) IF NOT EXISTS`,
      [BigInt(channel), slot, id],
    );

  it('a claim without its slot (a pin stopped before its slot): not pinned; the next pin completes it', async () => {
    const { channel, id, m } = await fresh();
    await claim(channel, id, -1);
    expect(await cassandraMessageStore.pinnedIds(channel)).toEqual([]);
    expect(await cassandraMessageStore.pin(channel, id)).toEqual([m]);
    expect(await pinRows(channel)).toEqual({ slots: [[0, m]], claims: [[m, 0]] });
  });

  it('a claim whose chosen slot was never taken: the next pin takes it', async () => {
    const { channel, id, m } = await fresh();
    await claim(channel, id, 7);
    expect(await cassandraMessageStore.pin(channel, id)).toEqual([m]);
    expect(await pinRows(channel)).toEqual({ slots: [[7, m]], claims: [[m, 7]] });
  });

  it('a slot without a claim (an unpin stopped halfway): pinned; a pin adopts it, an unpin clears it', async () => {
    const { channel, id, m } = await fresh();
    await takeSlot(channel, 3, id);
    expect(await cassandraMessageStore.pinnedIds(channel)).toEqual([m]);
    expect(await cassandraMessageStore.pin(channel, id)).toEqual([m]);
    expect(await pinRows(channel)).toEqual({ slots: [[3, m]], claims: [[m, 3]] });
    expect(await cassandraMessageStore.unpin(channel, id)).toEqual([]);
    expect(await pinRows(channel)).toEqual({ slots: [], claims: [] });
  });

  it('a message holding two slots is listed once; its next pin frees the extra slot', async () => {
    const { channel, id, m } = await fresh();
    await claim(channel, id, 1);
    await takeSlot(channel, 1, id);
    await takeSlot(channel, 4, id);
    expect(await cassandraMessageStore.pinnedIds(channel)).toEqual([m]);
    expect((await cassandraMessageStore.pinned(channel)).map((p) => p.id)).toEqual([m]);
    expect(await cassandraMessageStore.pin(channel, id)).toEqual([m]);
    expect(await pinRows(channel)).toEqual({ slots: [[1, m]], claims: [[m, 1]] });
  });

  it('a full channel gives the claim back', async () => {
    const { channel, id } = await fresh();
    for (let slot = 0; slot < MAX_PINS; slot += 1)
      await takeSlot(channel, slot, 1_000n + BigInt(slot));
    await expect(cassandraMessageStore.pin(channel, id)).rejects.toBeInstanceOf(
      StorageConflictError,
    );
    expect((await pinRows(channel)).claims).toEqual([]);
  });
});
