/** Workspaces, channels and DMs of mongoStorage (lib/storage/mongo/workspaces.ts), real engine. */
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeMongo } from '../../lib/db/mongo';
import { InvalidOperationError } from '../../lib/storage/errors';
import type { Channel, PublicUser, Workspace } from '../../shared/schema';
import { useIsolatedEnv } from '../helpers/isolated-env';
import {
  createUser,
  expectConflict,
  expectNothingFound,
  fulfilled,
  HOSTILE,
  inParallel,
  outcome,
  rawCollection,
  rejected,
  storage,
} from '../helpers/storage';

const CHANNEL_KEYS = [
  'class',
  'createdAt',
  'id',
  'name',
  'participants',
  'subject',
  'type',
  'workspaceId',
];

describe('workspace and channel storage', () => {
  beforeAll(() => useIsolatedEnv('storage-channels', { cassandra: false }));
  afterAll(closeMongo);

  describe('workspaces', () => {
    it('createWorkspace puts the owner first and drops duplicate members', async () => {
      const workspace = await storage.createWorkspace({
        name: 'Science club',
        ownerId: 1,
        members: [3, 1, 3, 2, 2],
      });
      expect(workspace).toEqual({
        id: expect.any(Number),
        name: 'Science club',
        description: null,
        ownerId: 1,
        members: [1, 3, 2],
        createdAt: expect.any(Date),
      });
      expect(await storage.getWorkspace(workspace.id)).toEqual(workspace);
      expect(await storage.getWorkspace(999_999)).toBeUndefined();

      const alone = await storage.createWorkspace({ name: 'Solo', description: 'd', ownerId: 4 });
      expect(alone.members).toEqual([4]);
      expect(alone.description).toBe('d');
    });

    it('getWorkspaces lists only the workspaces the user is a member of, oldest first', async () => {
      const w1 = await storage.createWorkspace({ name: 'W1', ownerId: 100, members: [101] });
      const w2 = await storage.createWorkspace({ name: 'W2', ownerId: 102, members: [100] });
      await storage.createWorkspace({ name: 'W3', ownerId: 102, members: [101] });
      expect(await storage.getWorkspaces(100)).toEqual([w1, w2]);
      expect((await storage.getWorkspaces(102)).map((w) => w.name)).toEqual(['W2', 'W3']);
      expect(await storage.getWorkspaces(999_999)).toEqual([]);
    });

    it('addMemberToWorkspace adds once; unknown workspace is undefined', async () => {
      const workspace = await storage.createWorkspace({ name: 'Add', ownerId: 200 });
      const added = await storage.addMemberToWorkspace(workspace.id, 201);
      expect(added).toEqual({ ...workspace, members: [200, 201] });
      expect(await storage.addMemberToWorkspace(workspace.id, 201)).toEqual(added);
      expect((await storage.getWorkspaces(201)).map((w) => w.id)).toEqual([workspace.id]);
      expect(await storage.addMemberToWorkspace(999_999, 201)).toBeUndefined();
    });

    it('removeMemberFromWorkspace removes a member; unknown workspace is undefined', async () => {
      const workspace = await storage.createWorkspace({
        name: 'Remove',
        ownerId: 300,
        members: [301, 302],
      });
      const removed = await storage.removeMemberFromWorkspace(workspace.id, 301);
      expect(removed).toEqual({ ...workspace, members: [300, 302] });
      expect(await storage.getWorkspaces(301)).toEqual([]);
      expect(await storage.removeMemberFromWorkspace(999_999, 301)).toBeUndefined();
    });

    it("refuses to remove the owner with StorageConflictError('owner')", async () => {
      const workspace = await storage.createWorkspace({
        name: 'Owned',
        ownerId: 400,
        members: [401],
      });
      await expectConflict(storage.removeMemberFromWorkspace(workspace.id, 400), 'owner');
      expect((await storage.getWorkspace(workspace.id))?.members).toEqual([400, 401]);
    });
  });

  describe('workspace channels', () => {
    it('createChannel, getChannel, and getChannelsByWorkspace in creation order', async () => {
      const workspace = await storage.createWorkspace({ name: 'Chan', ownerId: 500 });
      const other = await storage.createWorkspace({ name: 'Other', ownerId: 500 });
      const general = await storage.createChannel({
        workspaceId: workspace.id,
        name: 'general',
        type: 'text',
      });
      expect(Object.keys(general).sort()).toEqual(CHANNEL_KEYS);
      expect(general).toEqual({
        id: expect.any(Number),
        workspaceId: workspace.id,
        name: 'general',
        type: 'text',
        class: null,
        subject: null,
        participants: [],
        createdAt: expect.any(Date),
      });
      const news = await storage.createChannel({
        workspaceId: workspace.id,
        name: 'news',
        type: 'announcement',
        class: '9A',
        subject: 'History',
      });
      const third = await storage.createChannel({
        workspaceId: workspace.id,
        name: 'third',
        type: 'text',
      });
      await storage.createChannel({ workspaceId: other.id, name: 'elsewhere', type: 'text' });
      expect(await storage.getChannel(news.id)).toEqual(news);
      expect(await storage.getChannel(999_999)).toBeUndefined();
      expect(await storage.getChannelsByWorkspace(workspace.id)).toEqual([general, news, third]);
      expect(await storage.getChannelsByWorkspace(999_999)).toEqual([]);
    });
  });

  describe('direct messages', () => {
    let a: PublicUser;
    let b: PublicUser;
    let c: PublicUser;
    let d: PublicUser;

    beforeAll(async () => {
      a = await createUser({ username: 'dm_alice', name: 'Alice', role: 'teacher' });
      b = await createUser({
        username: 'dm_bob',
        name: 'Bob',
        avatar: 'https://cdn.example.com/bob.png',
      });
      c = await createUser({ username: 'dm_carol', name: 'Carol' });
      d = await createUser({ username: 'dm_dave', name: 'Dave' });
    });

    it('gives 100 parallel calls for one pair, in both orders, one channel', async () => {
      const { results, ms } = await inParallel(100, (i) =>
        i % 2 === 0
          ? storage.getOrCreateDMChannel(a.id, b.id)
          : storage.getOrCreateDMChannel(b.id, a.id),
      );
      console.log(`100 parallel getOrCreateDMChannel in ${ms} ms`);
      expect(rejected(results)).toEqual([]);
      const channels = fulfilled(results);
      expect(channels).toHaveLength(100);
      const ids = new Set(channels.map((ch) => ch.id));
      expect(ids.size).toBe(1);
      const low = Math.min(a.id, b.id);
      const high = Math.max(a.id, b.id);
      for (const channel of channels) {
        expect(channel).toMatchObject({
          workspaceId: null,
          type: 'dm',
          participants: [low, high],
        });
      }
      const raw = await rawCollection('channels');
      expect(await raw.countDocuments({ type: 'dm', participants: { $all: [a.id, b.id] } })).toBe(
        1,
      );
      expect(await raw.countDocuments({ uniqueKey: `dm:${low}:${high}` })).toBe(1);
      expect(await storage.getOrCreateDMChannel(b.id, a.id)).toEqual(channels[0]);
    });

    it('refuses a DM with oneself with InvalidOperationError and creates nothing', async () => {
      const result = await outcome(storage.getOrCreateDMChannel(c.id, c.id));
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toBeInstanceOf(InvalidOperationError);
      const raw = await rawCollection('channels');
      expect(await raw.countDocuments({ type: 'dm', participants: [c.id, c.id] })).toBe(0);
      expect(await raw.countDocuments({ uniqueKey: `dm:${c.id}:${c.id}` })).toBe(0);
    });

    it("getDMsByUser lists the caller's DMs with their partner, newest first, and no one else's", async () => {
      const ab = await storage.getOrCreateDMChannel(a.id, b.id);
      const ca = await storage.getOrCreateDMChannel(c.id, a.id);
      const cd = await storage.getOrCreateDMChannel(c.id, d.id);
      const dms = await storage.getDMsByUser(a.id);
      expect(dms.map((dm) => dm.id)).toEqual([ca.id, ab.id]);
      expect(dms).toEqual([
        {
          ...ca,
          partner: { id: c.id, username: 'dm_carol', name: 'Carol', avatar: null, role: 'student' },
        },
        {
          ...ab,
          partner: {
            id: b.id,
            username: 'dm_bob',
            name: 'Bob',
            avatar: 'https://cdn.example.com/bob.png',
            role: 'student',
          },
        },
      ]);
      for (const dm of dms) {
        expect(Object.keys(dm.partner as object).sort()).toEqual([
          'avatar',
          'id',
          'name',
          'role',
          'username',
        ]);
      }
      const json = JSON.stringify(dms);
      expect(json).not.toContain('dm_dave');
      expect(json).not.toContain('Dave');
      expect(dms.map((dm) => dm.id)).not.toContain(cd.id);
      expect(json).not.toMatch(/email|scrypt\$|passwordHash|usernameKey|emailKey/);

      const forB = await storage.getDMsByUser(b.id);
      expect(forB.map((dm) => dm.id)).toEqual([ab.id]);
      expect(forB[0]?.partner?.id).toBe(a.id);
      expect((await storage.getDMsByUser(d.id)).map((dm) => dm.partner?.username)).toEqual([
        'dm_carol',
      ]);
      expect(await storage.getDMsByUser(999_999)).toEqual([]);
    });
  });

  describe('searchChannels', () => {
    const USER = 600;
    let mine: Workspace;
    let maths: Channel;
    let physics: Channel;
    let literal: Channel;
    let paren: Channel;
    let bracket: Channel;

    beforeAll(async () => {
      mine = await storage.createWorkspace({ name: 'Search mine', ownerId: 601, members: [USER] });
      const notMine = await storage.createWorkspace({ name: 'Search other', ownerId: 602 });
      maths = await storage.createChannel({
        workspaceId: mine.id,
        name: 'Maths Homework',
        type: 'text',
        class: '10A',
        subject: 'Algebra',
      });
      physics = await storage.createChannel({
        workspaceId: mine.id,
        name: 'lab-talk',
        type: 'announcement',
        class: '10AB',
        subject: 'Physics',
      });
      literal = await storage.createChannel({
        workspaceId: mine.id,
        name: 'wild .* card',
        type: 'text',
      });
      paren = await storage.createChannel({
        workspaceId: mine.id,
        name: 'notes (draft)',
        type: 'text',
      });
      bracket = await storage.createChannel({
        workspaceId: mine.id,
        name: 'x[a]y',
        type: 'text',
      });
      // Would match every query below, but the user is not a member of its workspace.
      await storage.createChannel({
        workspaceId: notMine.id,
        name: 'Maths homework .* ( [a',
        type: 'text',
        class: '10A',
        subject: 'Algebra Physics',
      });
      // A DM of the user is not a workspace channel and is never found.
      await storage.getOrCreateDMChannel(USER, 603);
    });

    const search = async (query: string) =>
      (await storage.searchChannels(USER, query)).map((ch) => ch.id);

    it('matches class by equality, case-insensitively', async () => {
      expect(await search('10a')).toEqual([maths.id]);
      expect(await search('10ab')).toEqual([physics.id]);
      // '10' is a prefix of both classes, not equal to either, and in no name or subject.
      expect(await search('10')).toEqual([]);
    });

    it('matches name or subject by "contains", case-insensitively', async () => {
      expect(await search('HOMEWORK')).toEqual([maths.id]);
      expect(await search('lab-')).toEqual([physics.id]);
      expect(await search('gebr')).toEqual([maths.id]);
      expect(await search('physics')).toEqual([physics.id]);
      expect(await search('no such thing')).toEqual([]);
      expect(await storage.searchChannels(USER, 'homework')).toEqual([maths]);
    });

    it('treats regex metacharacters literally', async () => {
      expect(await search('.*')).toEqual([literal.id]);
      expect(await search('(')).toEqual([paren.id]);
      expect(await search('(draft)')).toEqual([paren.id]);
      expect(await search('[a')).toEqual([bracket.id]);
      expect(await search('.')).toEqual([literal.id]);
      expect(await search('^')).toEqual([]);
      expect(await search('$')).toEqual([]);
      expect(await search('\\')).toEqual([]);
      expect(await search('a|b')).toEqual([]);
    });

    it('finds nothing for a user without workspaces', async () => {
      expect(await storage.searchChannels(999_999, 'maths')).toEqual([]);
    });
  });

  describe('operator objects where an id is expected', () => {
    let workspace: Workspace;

    beforeAll(async () => {
      workspace = await storage.createWorkspace({
        name: 'Injection',
        ownerId: 700,
        members: [701, 702],
      });
      await storage.createChannel({ workspaceId: workspace.id, name: 'inj', type: 'text' });
      await storage.getOrCreateDMChannel(701, 702);
    });

    it.each([
      ['getWorkspace', () => storage.getWorkspace(HOSTILE)],
      ['getWorkspaces', () => storage.getWorkspaces(HOSTILE)],
      ['getChannel', () => storage.getChannel(HOSTILE)],
      ['getChannelsByWorkspace', () => storage.getChannelsByWorkspace(HOSTILE)],
      ['getDMsByUser', () => storage.getDMsByUser(HOSTILE)],
      ['searchChannels (user)', () => storage.searchChannels(HOSTILE, 'inj')],
    ])('%s finds nothing', async (_name, call) => {
      await expectNothingFound(call());
    });

    // Update documents are not covered by sanitizeFilter: an operator object reaching $pull would
    // be a condition there ({ $gt: 0 } pulls every member on MongoDB, the owner included).
    it.each([
      ['{ $ne: null }', HOSTILE],
      ['{ $gt: 0 }', { $gt: 0 } as never],
      ['{ $in: [701, 702] }', { $in: [701, 702] } as never],
    ])('removeMemberFromWorkspace with %s as the user id removes no one', async (_name, userId) => {
      const result = await outcome(storage.removeMemberFromWorkspace(workspace.id, userId));
      if (!result.ok) expect(result.error).toBeInstanceOf(Error);
      expect((await storage.getWorkspace(workspace.id))?.members).toEqual([700, 701, 702]);
    });

    // FerretDB ignores a condition inside $pull, so the data check above cannot catch it locally;
    // MongoDB applies it. So also check what is sent: no operator may reach the update document.
    it('removeMemberFromWorkspace never sends an operator object inside $pull', async () => {
      const updates: unknown[] = [];
      mongoose.set('debug', (collection: string, method: string, ...args: unknown[]) => {
        if (collection === 'workspaces' && method === 'findOneAndUpdate') updates.push(args[1]);
      });
      try {
        await outcome(storage.removeMemberFromWorkspace(workspace.id, { $gt: 0 } as never));
      } finally {
        mongoose.set('debug', false);
      }
      for (const update of updates) expect(JSON.stringify(update)).not.toMatch(/"\$(gt|ne|in)"/);
      expect((await storage.getWorkspace(workspace.id))?.members).toEqual([700, 701, 702]);
    });

    it('addMemberToWorkspace with a hostile user id adds nothing', async () => {
      const result = await outcome(storage.addMemberToWorkspace(workspace.id, HOSTILE));
      if (!result.ok) expect(result.error).toBeInstanceOf(Error);
      expect((await storage.getWorkspace(workspace.id))?.members).toEqual([700, 701, 702]);
    });
  });
});
