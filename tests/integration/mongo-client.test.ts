/** lib/db/mongo.ts against the real engine (FerretDB locally, or MONGODB_URL). */
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { closeMongo, getMongo, pingMongo, withMongo } from '../../lib/db/mongo';
import { useIsolatedEnv } from '../helpers/isolated-env';

describe('mongo client', () => {
  beforeAll(async () => {
    await useIsolatedEnv('mongo-client', { cassandra: false });
  });
  afterAll(closeMongo);

  it('writes a document and reads it back', async () => {
    const marker = `m-${Date.now()}`;
    const found = await withMongo(async (db) => {
      const collection = db.connection.collection('roundtrip');
      await collection.insertOne({ marker, n: 42 });
      return collection.findOne({ marker });
    });
    expect(found).toMatchObject({ marker, n: 42 });
  });

  it('shares one connect among concurrent first calls and reuses it afterwards', async () => {
    await closeMongo(); // a cold instance
    // A spy that calls through to the real connect: it only counts.
    const connect = vi.spyOn(mongoose, 'connect');
    try {
      const [a, b, c] = await Promise.all([getMongo(), getMongo(), getMongo()]);
      expect(connect).toHaveBeenCalledTimes(1);
      expect(a).toBe(b);
      expect(b).toBe(c);
      expect(await getMongo()).toBe(a);
      expect(connect).toHaveBeenCalledTimes(1);
      expect(a.connection.readyState).toBe(mongoose.ConnectionStates.connected);
    } finally {
      connect.mockRestore();
    }
  });

  it('opens no new connection for a second round of calls', async () => {
    await pingMongo();
    const client = (await getMongo()).connection.getClient();
    let created = 0;
    const count = () => {
      created += 1;
    };
    client.on('connectionCreated', count);
    try {
      await pingMongo();
      await pingMongo();
    } finally {
      client.off('connectionCreated', count);
    }
    expect(created).toBe(0);
  });

  it('refuses an operator object smuggled in where a value is expected', async () => {
    const schema = new mongoose.Schema({ username: String });
    const Probe = mongoose.models.Probe ?? mongoose.model('Probe', schema, 'probes');
    await withMongo(() => Probe.create({ username: 'alice' }));
    // sanitizeFilter wraps the object in $eq; a string path then refuses it instead of matching
    // "any username" as the raw driver would.
    const hostile = { username: { $ne: null } } as never;
    await expect(withMongo(() => Probe.findOne(hostile).lean())).rejects.toBeInstanceOf(
      mongoose.Error.CastError,
    );
    const raw = await withMongo(async (db) =>
      db.connection.collection('probes').findOne({ username: { $ne: null } }),
    );
    expect(raw).not.toBeNull(); // the same filter through the raw driver would have matched
    expect(
      await withMongo(() => Probe.findOne({ username: 'alice' } as never).lean()),
    ).not.toBeNull();
  });
});
