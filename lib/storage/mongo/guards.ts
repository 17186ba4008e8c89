/**
 * Defence in depth for values that go into update documents: `sanitizeFilter` protects query
 * filters only, so an object smuggled into `$pull: { members: userId }` would be an operator there.
 * Handlers validate with zod first; storage refuses anything that is not a plain id regardless.
 */
import { InvalidOperationError } from '../errors';

/** Throws InvalidOperationError unless `value` is a positive safe integer. */
export function assertId(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidOperationError(`${name} must be a positive integer id`);
  }
}

/** Only the listed keys of `change` (an update can never reach fields outside the allow-list). */
export function pick<T extends object, K extends keyof T>(
  change: T,
  keys: readonly K[],
): Partial<Pick<T, K>> {
  const picked: Partial<Pick<T, K>> = {};
  for (const key of keys) {
    if (change[key] !== undefined) picked[key] = change[key];
  }
  return picked;
}
