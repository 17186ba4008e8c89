/** Small helpers shared by the tests/integration/storage-*.test.ts files. */
import mongoose from 'mongoose';
import { expect } from 'vitest';
import { withMongo } from '../../lib/db/mongo';
import { StorageConflictError } from '../../lib/storage/errors';
import { mongoStorage } from '../../lib/storage/mongo';
import type { NewUser } from '../../lib/storage/storage';
import type { PublicUser } from '../../shared/schema';

export const storage = mongoStorage;

/** The keys of a PublicUser, sorted: nothing else may ever leave lib/storage. */
export const PUBLIC_USER_KEYS = [
  'avatar',
  'class',
  'createdAt',
  'email',
  'id',
  'name',
  'role',
  'subject',
  'username',
];

let sequence = 0;

/** A NewUser with a unique username and email (per test file run). */
export function newUser(overrides: Partial<NewUser> = {}): NewUser {
  sequence += 1;
  const tag = `${Date.now().toString(36)}${sequence}`;
  return {
    username: `user_${tag}`,
    password: `pw-${tag}-correct horse`,
    name: `User ${tag}`,
    email: `user_${tag}@example.com`,
    role: 'student',
    ...overrides,
  };
}

/** Creates a user through the storage. */
export function createUser(overrides: Partial<NewUser> = {}): Promise<PublicUser> {
  return storage.createUser(newUser(overrides));
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** What a promise settled to, as a value (so a test can assert on either). */
export async function outcome<T>(promise: Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Asserts `promise` rejects with StorageConflictError on `field`. */
export async function expectConflict(promise: Promise<unknown>, field: string): Promise<void> {
  const result = await outcome(promise);
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error).toBeInstanceOf(StorageConflictError);
  expect((result.error as StorageConflictError).field).toBe(field);
}

/**
 * Asserts a read fed a hostile value found nothing: it either rejected with an Error or
 * resolved to undefined / an empty list. Returns the outcome for further checks.
 */
export async function expectNothingFound(promise: Promise<unknown>): Promise<Outcome<unknown>> {
  const result = await outcome(promise);
  if (result.ok) {
    if (Array.isArray(result.value)) expect(result.value).toEqual([]);
    else expect(result.value).toBeUndefined();
  } else {
    expect(result.error).toBeInstanceOf(Error);
  }
  return result;
}

/** Runs `count` calls of `make` in parallel; returns the settled results and the elapsed ms. */
export async function inParallel<T>(
  count: number,
  make: (index: number) => Promise<T>,
): Promise<{ results: PromiseSettledResult<T>[]; ms: number }> {
  const started = performance.now();
  const results = await Promise.allSettled(Array.from({ length: count }, (_, i) => make(i)));
  return { results, ms: Math.round(performance.now() - started) };
}

export function fulfilled<T>(results: PromiseSettledResult<T>[]): T[] {
  return results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
}

export function rejected<T>(results: PromiseSettledResult<T>[]): unknown[] {
  return results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
}

/** The raw driver collection of the current test database (bypasses Mongoose and the storage). */
export function rawCollection(name: string) {
  return withMongo(async () => mongoose.connection.collection(name));
}

/** A hostile filter value, to be passed where a username, email or id is expected. */
export const HOSTILE = { $ne: null } as never;
