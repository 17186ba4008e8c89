/** Users: case-insensitive unique username and email, scrypt hashes that never leave this module. */
import { trusted } from 'mongoose';
import { sequences, type UserDoc, UserModel } from '../../../shared/mongo-schema';
import type { PublicUser } from '../../../shared/schema';
import {
  hashPassword,
  needsRehash,
  verifyAgainstDummy,
  verifyPassword,
} from '../../auth/passwords';
import { config } from '../../config';
import { withMongo } from '../../db/mongo';
import { type Logger, logger } from '../../logger';
import { StorageConflictError } from '../errors';
import type { NewUser, UserStorage } from '../storage';
import { nextId } from './counters';
import { isDuplicateKey } from './duplicate-key';

/** The lookup key of a username or email: case-insensitive. */
export const lookupKey = (value: string) => value.trim().normalize('NFC').toLowerCase();

/** Never read the hash or our lookup keys unless we mean to. */
const PUBLIC = { _id: 0, passwordHash: 0, usernameKey: 0, emailKey: 0 } as const;

/** Builds the API's user from a document, field by field (an allow-list, not a delete-list). */
export function toPublicUser(
  doc: Omit<UserDoc, 'passwordHash' | 'usernameKey' | 'emailKey'>,
): PublicUser {
  return {
    id: doc.id,
    username: doc.username,
    name: doc.name,
    email: doc.email,
    role: doc.role,
    class: doc.class ?? null,
    subject: doc.subject ?? null,
    avatar: doc.avatar ?? null,
    createdAt: doc.createdAt,
  };
}

/** Which unique field a failed insert or update collided on. */
async function conflictFor(user: {
  username?: string;
  email?: string;
}): Promise<StorageConflictError> {
  if (user.username && (await UserModel.exists({ usernameKey: lookupKey(user.username) }))) {
    return new StorageConflictError('That username is taken', 'username');
  }
  return new StorageConflictError('That email is already registered', 'email');
}

/**
 * Replaces a hash made at another cost by one at `logN`, right after `password` was verified
 * against it. The filter holds the old hash, so a password changed meanwhile is never
 * overwritten. The login has already succeeded: a failed write is logged, and the next login
 * tries again.
 */
async function rehash(
  id: number,
  oldHash: string,
  password: string,
  logN: number,
  log: Logger,
): Promise<void> {
  try {
    const passwordHash = await hashPassword(password, logN);
    await UserModel.updateOne({ id, passwordHash: oldHash }, { $set: { passwordHash } });
  } catch (error) {
    log.warn('could not store the password re-hashed at the configured cost', {
      userId: id,
      error,
    });
  }
}

const findOne = (filter: Record<string, unknown>) =>
  withMongo(async () => {
    const doc = await UserModel.findOne(filter, PUBLIC).lean();
    return doc ? toPublicUser(doc) : undefined;
  });

const findMany = (filter: Record<string, unknown>) =>
  withMongo(async () =>
    (await UserModel.find(filter, PUBLIC).sort({ id: 1 }).lean()).map(toPublicUser),
  );

export const userStore: UserStorage = {
  getUser: (id) => findOne({ id }),
  getUserByUsername: async (username) => findOne({ usernameKey: lookupKey(username) }),
  getUsersByIds: (ids) =>
    ids.length === 0 ? Promise.resolve([]) : findMany({ id: trusted({ $in: [...new Set(ids)] }) }),
  getUsersByClass: (className) => findMany({ role: 'student', class: className }),

  createUser: (user: NewUser) =>
    withMongo(async () => {
      const passwordHash = await hashPassword(user.password, config().auth.passwordHashLogN);
      const id = await nextId(sequences.user);
      try {
        const doc = await UserModel.create({
          id,
          username: user.username,
          usernameKey: lookupKey(user.username),
          passwordHash,
          name: user.name,
          email: user.email,
          emailKey: lookupKey(user.email),
          role: user.role,
          class: user.class ?? null,
          subject: user.subject ?? null,
          avatar: user.avatar ?? null,
        });
        return toPublicUser(doc.toObject());
      } catch (error) {
        if (isDuplicateKey(error)) throw await conflictFor(user);
        throw error;
      }
    }),

  verifyCredentials: (username, password, log: Logger = logger) =>
    withMongo(async () => {
      if (typeof username !== 'string' || typeof password !== 'string') return undefined;
      const { passwordHashLogN } = config().auth;
      const doc = await UserModel.findOne({ usernameKey: lookupKey(username) }, { _id: 0 }).lean();
      if (!doc) return verifyAgainstDummy(password, passwordHashLogN).then(() => undefined);
      if (!(await verifyPassword(password, doc.passwordHash))) return undefined;
      if (needsRehash(doc.passwordHash, passwordHashLogN)) {
        await rehash(doc.id, doc.passwordHash, password, passwordHashLogN, log);
      }
      return toPublicUser(doc);
    }),
};
