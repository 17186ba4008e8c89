import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  DatabaseUnavailableError,
  EngineNotConfiguredError,
  withDeadline,
} from '../../lib/db/errors';

const never = <T>() => new Promise<T>(() => undefined);

describe('DatabaseUnavailableError', () => {
  it('names the engine and keeps the cause', () => {
    const cause = new Error('ECONNREFUSED');
    const error = new DatabaseUnavailableError('cassandra', { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('DatabaseUnavailableError');
    expect(error.engine).toBe('cassandra');
    expect(error.message).toBe('cassandra is unavailable');
    expect(error.cause).toBe(cause);
  });

  it('EngineNotConfiguredError names the engine', () => {
    const error = new EngineNotConfiguredError('dynamodb');
    expect(error.name).toBe('EngineNotConfiguredError');
    expect(error.engine).toBe('dynamodb');
    expect(error.message).toBe('dynamodb is not configured');
    expect(error).not.toBeInstanceOf(DatabaseUnavailableError);
  });
});

describe('withDeadline', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('resolves with the value of a promise that settles before the deadline', async () => {
    await expect(withDeadline('mongo', 1_000, Promise.resolve({ ok: 1 }))).resolves.toEqual({
      ok: 1,
    });
  });

  it('resolves with a value that arrives later but before the deadline', async () => {
    const slow = new Promise<string>((resolve) => setTimeout(() => resolve('late'), 10));
    await expect(withDeadline('dynamodb', 500, slow)).resolves.toBe('late');
  });

  it('passes on the rejection of the promise unchanged', async () => {
    const error = new Error('duplicate key');
    await expect(withDeadline('mongo', 1_000, Promise.reject(error))).rejects.toBe(error);
  });

  it.each(['mongo', 'cassandra', 'dynamodb'] as const)(
    'rejects with DatabaseUnavailableError(%s) after the deadline',
    async (engine) => {
      const started = Date.now();
      const error = await withDeadline(engine, 20, never()).then(
        () => undefined,
        (e: unknown) => e,
      );
      const elapsed = Date.now() - started;
      expect(error).toBeInstanceOf(DatabaseUnavailableError);
      expect((error as DatabaseUnavailableError).engine).toBe(engine);
      expect((error as DatabaseUnavailableError).message).toBe(`${engine} is unavailable`);
      expect(((error as Error).cause as Error).message).toBe('no answer in 20 ms');
      expect(elapsed).toBeGreaterThanOrEqual(15);
      expect(elapsed).toBeLessThan(1_000);
    },
  );

  it('clears its timer when the promise resolves first', async () => {
    vi.useFakeTimers();
    const result = withDeadline('mongo', 60_000, Promise.resolve(7));
    expect(vi.getTimerCount()).toBe(1);
    await expect(result).resolves.toBe(7);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('clears its timer when the promise rejects first', async () => {
    vi.useFakeTimers();
    const result = withDeadline('cassandra', 60_000, Promise.reject(new Error('bad cql')));
    expect(vi.getTimerCount()).toBe(1);
    await expect(result).rejects.toThrow('bad cql');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('leaves no timer behind once the deadline has fired', async () => {
    vi.useFakeTimers();
    const result = withDeadline('dynamodb', 5_000, never());
    const outcome = expect(result).rejects.toBeInstanceOf(DatabaseUnavailableError);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    await outcome;
    expect(vi.getTimerCount()).toBe(0);
  });
});
