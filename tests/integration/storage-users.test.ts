/** The users part of mongoStorage (lib/storage/mongo/users.ts) against the real engine. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hashCost, verifyPassword } from '../../lib/auth/passwords';
import { resetConfig } from '../../lib/config';
import { closeMongo } from '../../lib/db/mongo';
import { StorageConflictError } from '../../lib/storage/errors';
import type { PublicUser } from '../../shared/schema';
import { useIsolatedEnv } from '../helpers/isolated-env';
import {
  createUser,
  expectConflict,
  expectNothingFound,
  fulfilled,
  HOSTILE,
  inParallel,
  newUser,
  PUBLIC_USER_KEYS,
  rawCollection,
  rejected,
  storage,
} from '../helpers/storage';

/** Asserts `user` is exactly a PublicUser and carries nothing secret, in any form. */
function expectPublic(user: PublicUser | undefined, password: string): void {
  expect(user).toBeDefined();
  expect(Object.keys(user as object).sort()).toEqual(PUBLIC_USER_KEYS);
  const json = JSON.stringify(user);
  expect(json).not.toContain(password);
  expect(json).not.toContain('scrypt$');
  expect(json).not.toMatch(/passwordHash|usernameKey|emailKey|"_id"/);
}

describe('user storage', () => {
  beforeAll(() => useIsolatedEnv('storage-users', { cassandra: false }));
  afterAll(closeMongo);

  describe('createUser', () => {
    it('returns a PublicUser with the given fields and nothing secret', async () => {
      const input = newUser({
        username: 'Alice_Create',
        email: 'Alice.Create@Example.com',
        role: 'teacher',
        subject: 'Maths',
        avatar: 'https://cdn.example.com/a.png',
      });
      const before = Date.now();
      const user = await storage.createUser(input);
      expectPublic(user, input.password);
      expect(user).toEqual({
        id: expect.any(Number),
        username: 'Alice_Create',
        name: input.name,
        email: 'Alice.Create@Example.com',
        role: 'teacher',
        class: null,
        subject: 'Maths',
        avatar: 'https://cdn.example.com/a.png',
        createdAt: expect.any(Date),
      });
      expect(user.id).toBeGreaterThanOrEqual(1);
      expect(user.createdAt.getTime()).toBeGreaterThanOrEqual(before - 1_000);
      expect(user.createdAt.getTime()).toBeLessThanOrEqual(Date.now() + 1_000);
    });

    it('stores an scrypt hash, never the password, and lower-cased lookup keys', async () => {
      const input = newUser({ username: 'Hash_Check', email: 'Hash.Check@Example.COM' });
      const user = await storage.createUser(input);
      const users = await rawCollection('users');
      const raw = await users.findOne({ id: user.id });
      expect(raw).not.toBeNull();
      const hash = raw?.passwordHash as string;
      expect(hash).toMatch(/^scrypt\$10\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
      expect(hash).not.toContain(input.password);
      expect(JSON.stringify(raw)).not.toContain(input.password);
      expect(raw?.usernameKey).toBe('hash_check');
      expect(raw?.emailKey).toBe('hash.check@example.com');
      expect(raw?.username).toBe('Hash_Check');
    });

    it('gives two users with the same password different hashes (random salt)', async () => {
      const a = await createUser({ password: 'same-password-1' });
      const b = await createUser({ password: 'same-password-1' });
      const users = await rawCollection('users');
      const [rawA, rawB] = await Promise.all([
        users.findOne({ id: a.id }),
        users.findOne({ id: b.id }),
      ]);
      expect(rawA?.passwordHash).toMatch(/^scrypt\$/);
      expect(rawB?.passwordHash).toMatch(/^scrypt\$/);
      expect(rawA?.passwordHash).not.toBe(rawB?.passwordHash);
    });

    it('refuses a username taken in another case with StorageConflictError("username")', async () => {
      await createUser({ username: 'Bob_Dup', email: 'bob.dup.1@example.com' });
      await expectConflict(
        storage.createUser(newUser({ username: 'bOB_dUP', email: 'bob.dup.2@example.com' })),
        'username',
      );
      const users = await rawCollection('users');
      expect(await users.countDocuments({ usernameKey: 'bob_dup' })).toBe(1);
      expect(await users.countDocuments({ emailKey: 'bob.dup.2@example.com' })).toBe(0);
    });

    it('refuses an email taken in another case with StorageConflictError("email")', async () => {
      await createUser({ username: 'carol_one', email: 'Carol@Example.com' });
      await expectConflict(
        storage.createUser(newUser({ username: 'carol_two', email: 'cAROL@example.COM' })),
        'email',
      );
      const users = await rawCollection('users');
      expect(await users.countDocuments({ emailKey: 'carol@example.com' })).toBe(1);
      expect(await users.countDocuments({ usernameKey: 'carol_two' })).toBe(0);
    });

    it('lets exactly one of 100 parallel registrations of one username win', async () => {
      const username = 'Race_User';
      const { results, ms } = await inParallel(100, (i) =>
        storage.createUser(
          newUser({
            username: i % 2 === 0 ? username : username.toUpperCase(),
            email: `race.${i}@example.com`,
          }),
        ),
      );
      console.log(`100 parallel createUser of one username in ${ms} ms`);
      const winners = fulfilled(results);
      const losers = rejected(results);
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(99);
      for (const error of losers) {
        expect(error).toBeInstanceOf(StorageConflictError);
        expect((error as StorageConflictError).field).toBe('username');
      }
      const users = await rawCollection('users');
      expect(await users.countDocuments({ usernameKey: 'race_user' })).toBe(1);
      const stored = await storage.getUserByUsername('race_user');
      expect(stored?.id).toBe(winners[0]?.id);
      expect(stored?.email).toBe(winners[0]?.email);
      // The losers left no trace under their own emails either.
      expect(await users.countDocuments({ emailKey: /^race\./ })).toBe(1);
    });
  });

  describe('reads', () => {
    let dana: PublicUser;
    let danaPassword: string;

    beforeAll(async () => {
      const input = newUser({ username: 'Dana_Reads', email: 'Dana.Reads@Example.com' });
      danaPassword = input.password;
      dana = await storage.createUser(input);
    });

    it('getUser finds by id and answers undefined for an unknown id', async () => {
      const found = await storage.getUser(dana.id);
      expect(found).toEqual(dana);
      expectPublic(found, danaPassword);
      expect(await storage.getUser(999_999)).toBeUndefined();
    });

    it('getUserByUsername is case-insensitive and ignores surrounding spaces', async () => {
      expect(await storage.getUserByUsername('Dana_Reads')).toEqual(dana);
      expect(await storage.getUserByUsername('DANA_READS')).toEqual(dana);
      expect(await storage.getUserByUsername('dana_reads')).toEqual(dana);
      expect(await storage.getUserByUsername('  dAnA_rEaDs ')).toEqual(dana);
      expectPublic(await storage.getUserByUsername('dana_reads'), danaPassword);
      expect(await storage.getUserByUsername('dana_read')).toBeUndefined();
      expect(await storage.getUserByUsername('dana_readsx')).toBeUndefined();
    });

    it('getUsersByIds dedupes, ignores unknown ids, sorts by id, and takes an empty list', async () => {
      const other = await createUser();
      const users = await storage.getUsersByIds([other.id, dana.id, other.id, 999_999, dana.id]);
      expect(users.map((u) => u.id)).toEqual([dana.id, other.id].sort((a, b) => a - b));
      for (const user of users) expect(Object.keys(user).sort()).toEqual(PUBLIC_USER_KEYS);
      expect(JSON.stringify(users)).not.toContain('scrypt$');
      expect(await storage.getUsersByIds([])).toEqual([]);
      expect(await storage.getUsersByIds([999_998, 999_999])).toEqual([]);
    });
  });

  describe('lists by class', () => {
    // A class name no other test of this file uses, so the lists are exactly ours.
    const CLASS = 'Roles-7Z';
    let s1: PublicUser;
    let s2: PublicUser;

    beforeAll(async () => {
      s1 = await createUser({ role: 'student', class: CLASS });
      // A teacher of the class and a student of another: neither is listed.
      await createUser({ role: 'teacher', class: CLASS, subject: 'Physics' });
      await createUser({ role: 'student', class: 'Roles-8Y' });
      s2 = await createUser({ role: 'student', class: CLASS });
    });

    it('getUsersByClass lists only the students of that class', async () => {
      const users = await storage.getUsersByClass(CLASS);
      expect(users.map((u) => u.id)).toEqual([s1.id, s2.id]);
      expect(users.every((u) => u.role === 'student' && u.class === CLASS)).toBe(true);
      expect(await storage.getUsersByClass('No-Such-Class')).toEqual([]);
    });
  });

  describe('verifyCredentials', () => {
    const password = 'erin-S3cret-passphrase';
    let erin: PublicUser;

    beforeAll(async () => {
      erin = await createUser({ username: 'Erin_Login', password });
    });

    it('returns the user for the right password, whatever the case of the username', async () => {
      const user = await storage.verifyCredentials('Erin_Login', password);
      expect(user).toEqual(erin);
      expectPublic(user, password);
      expect(await storage.verifyCredentials('erin_login', password)).toEqual(erin);
      expect(await storage.verifyCredentials('ERIN_LOGIN', password)).toEqual(erin);
    });

    it('returns undefined for a wrong password', async () => {
      expect(
        await storage.verifyCredentials('Erin_Login', 'erin-S3cret-passphrasE'),
      ).toBeUndefined();
      expect(await storage.verifyCredentials('Erin_Login', '')).toBeUndefined();
      expect(await storage.verifyCredentials('Erin_Login', `${password} `)).toBeUndefined();
    });

    it('returns undefined for an unknown user', async () => {
      expect(await storage.verifyCredentials('nobody_here', password)).toBeUndefined();
    });

    describe('after PASSWORD_HASH_LOG_N changed', () => {
      const hashOf = async (id: number) =>
        (await (await rawCollection('users')).findOne({ id }))?.passwordHash as string;
      const setCost = (logN: number) => {
        process.env.PASSWORD_HASH_LOG_N = String(logN);
        resetConfig();
      };
      afterEach(() => setCost(10));

      it('a successful login re-hashes the password at the configured cost; a failed one changes nothing', async () => {
        const secret = 'fay-correct horse';
        const fay = await createUser({ username: 'Fay_Rehash', password: secret });
        const original = await hashOf(fay.id);
        expect(hashCost(original)).toBe(10);
        setCost(11);

        expect(await storage.verifyCredentials('Fay_Rehash', 'fay-wrong horse')).toBeUndefined();
        expect(await hashOf(fay.id)).toBe(original);

        expect(await storage.verifyCredentials('Fay_Rehash', secret)).toEqual(fay);
        const upgraded = await hashOf(fay.id);
        expect(hashCost(upgraded)).toBe(11);
        expect(await verifyPassword(secret, upgraded)).toBe(true);
        expect(await verifyPassword('fay-wrong horse', upgraded)).toBe(false);
        // Already at the configured cost: the next login verifies and keeps it.
        expect(await storage.verifyCredentials('fay_rehash', secret)).toEqual(fay);
        expect(await hashOf(fay.id)).toBe(upgraded);
      });

      it('lowering the cost re-hashes too, and the other users are untouched', async () => {
        setCost(11);
        const secret = 'gus-correct horse';
        const gus = await createUser({ username: 'Gus_Rehash', password: secret });
        const other = await createUser({ username: 'Hal_Rehash', password: secret });
        const otherHash = await hashOf(other.id);
        setCost(10);
        expect(await storage.verifyCredentials('Gus_Rehash', secret)).toEqual(gus);
        expect(hashCost(await hashOf(gus.id))).toBe(10);
        expect(await hashOf(other.id)).toBe(otherHash);
      });
    });
  });

  describe('operator objects where a value is expected', () => {
    const password = 'victim-password-1';

    beforeAll(async () => {
      await createUser({ username: 'Victim_User', password, class: 'Inj-1' });
    });

    // One test per method, so one method that misbehaves does not hide another. A method is
    // called directly: an async method that throws synchronously instead of rejecting fails here.
    it.each([
      ['getUser', () => storage.getUser(HOSTILE)],
      ['getUserByUsername', () => storage.getUserByUsername(HOSTILE)],
      ['getUsersByIds', () => storage.getUsersByIds([HOSTILE])],
      ['getUsersByClass', () => storage.getUsersByClass(HOSTILE)],
      ['verifyCredentials (username)', () => storage.verifyCredentials(HOSTILE, password)],
      ['verifyCredentials (password)', () => storage.verifyCredentials('Victim_User', HOSTILE)],
    ])('%s never returns a user (rejects or finds nothing)', async (_name, call) => {
      let promise: Promise<unknown>;
      try {
        promise = call();
      } catch (error) {
        throw new Error('threw synchronously instead of returning a rejected promise', {
          cause: error,
        });
      }
      await expectNothingFound(promise);
    });
  });
});
