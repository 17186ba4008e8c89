import { describe, expect, it } from 'vitest';
import { createLogger, type LogLevel } from '../../lib/logger';

function capture(level: LogLevel, base: Record<string, unknown> = {}) {
  const raw: string[] = [];
  const log = createLogger(level, base, (line) => raw.push(line));
  const entries = () => raw.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { log, raw, entries };
}

describe('createLogger', () => {
  it('writes one JSON object per line with level, ISO time and message', () => {
    const { log, raw, entries } = capture('info');
    const before = Date.now();
    log.info('hello', { userId: 'u1', count: 3 });
    expect(raw).toHaveLength(1);
    expect(raw[0]).not.toContain('\n');
    const [entry] = entries();
    expect(entry).toMatchObject({ level: 'info', message: 'hello', userId: 'u1', count: 3 });
    const time = Date.parse(entry?.time as string);
    expect(new Date(time).toISOString()).toBe(entry?.time);
    expect(time).toBeGreaterThanOrEqual(before - 1);
    expect(time).toBeLessThanOrEqual(Date.now() + 1);
  });

  it('never lets base or call fields overwrite level, time or message', () => {
    const { log, entries } = capture('info', { message: 'from base', level: 'debug' });
    log.error('real message', { time: 'fake', userId: 3 });
    const [entry] = entries();
    expect(entry?.level).toBe('error');
    expect(entry?.message).toBe('real message');
    expect(entry?.time).not.toBe('fake');
    expect(entry?.userId).toBe(3);
  });

  it('serialises an Error given as a child field', () => {
    const { log, entries } = capture('info');
    log.child({ error: new Error('boom') }).info('with base error');
    expect(entries()[0]?.error).toMatchObject({ name: 'Error', message: 'boom' });
  });

  it('writes a line without fields', () => {
    const { log, entries } = capture('debug');
    log.warn('plain');
    expect(entries()).toEqual([{ level: 'warn', time: expect.any(String), message: 'plain' }]);
  });

  it.each([
    ['debug', ['debug', 'info', 'warn', 'error']],
    ['info', ['info', 'warn', 'error']],
    ['warn', ['warn', 'error']],
    ['error', ['error']],
  ] as const)('at level %s writes only %j', (level, expected) => {
    const { log, entries } = capture(level);
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    expect(entries().map((e) => e.level)).toEqual(expected);
    expect(entries().map((e) => e.message)).toEqual(expected.map((l) => l[0]));
  });

  it('falls back to info for an unknown level', () => {
    const { log, entries } = capture('verbose' as LogLevel);
    log.debug('d');
    log.info('i');
    expect(entries().map((e) => e.message)).toEqual(['i']);
  });

  it('includes base fields on every line', () => {
    const { log, entries } = capture('info', { service: 'plp' });
    log.info('a');
    log.error('b', { extra: true });
    expect(entries()).toEqual([
      expect.objectContaining({ message: 'a', service: 'plp' }),
      expect.objectContaining({ message: 'b', service: 'plp', extra: true }),
    ]);
  });

  it('child() merges its fields with the parent base, the child winning', () => {
    const { log, entries } = capture('info', { service: 'plp', route: 'parent' });
    const child = log.child({ requestId: 'r-1', route: 'GET /x' });
    const grandchild = child.child({ userId: 'u-9' });
    grandchild.info('deep', { step: 2 });
    log.info('parent');
    expect(entries()).toEqual([
      {
        level: 'info',
        time: expect.any(String),
        message: 'deep',
        service: 'plp',
        route: 'GET /x',
        requestId: 'r-1',
        userId: 'u-9',
        step: 2,
      },
      {
        level: 'info',
        time: expect.any(String),
        message: 'parent',
        service: 'plp',
        route: 'parent',
      },
    ]);
  });

  it('child() keeps the level and the writer of its parent', () => {
    const { log, entries } = capture('warn');
    const child = log.child({ requestId: 'r-2' });
    child.info('dropped');
    child.warn('kept');
    expect(entries()).toEqual([expect.objectContaining({ message: 'kept', requestId: 'r-2' })]);
  });

  it('serialises Error fields as name and message, without the stack above debug', () => {
    const { log, entries } = capture('info');
    const error = new TypeError('bad input');
    log.error('failed', { error });
    const [entry] = entries();
    expect(entry?.error).toEqual({ name: 'TypeError', message: 'bad input' });
  });

  it('includes the stack of Error fields at debug level', () => {
    const { log, entries } = capture('debug');
    const error = new Error('boom');
    log.error('failed', { error });
    const serialised = entries()[0]?.error as Record<string, unknown>;
    expect(serialised).toMatchObject({ name: 'Error', message: 'boom' });
    expect(serialised.stack).toBe(error.stack);
    expect(String(serialised.stack)).toContain('boom');
  });

  it('keeps the code of an error and serialises its cause chain', () => {
    const { log, entries } = capture('info');
    const root = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const error = new Error('mongo is unavailable', { cause: root });
    log.error('failed', { error });
    expect(entries()[0]?.error).toEqual({
      name: 'Error',
      message: 'mongo is unavailable',
      cause: { name: 'Error', message: 'connect ECONNREFUSED', code: 'ECONNREFUSED' },
    });
  });

  it('keeps a non-Error cause as it is', () => {
    const { log, entries } = capture('info');
    log.error('failed', { error: new Error('outer', { cause: { reason: 'timeout' } }) });
    expect(entries()[0]?.error).toEqual({
      name: 'Error',
      message: 'outer',
      cause: { reason: 'timeout' },
    });
  });

  it('uses the error subclass name', () => {
    class DatabaseDown extends Error {
      override readonly name = 'DatabaseDown';
    }
    const { log, entries } = capture('info');
    log.warn('x', { err: new DatabaseDown('down') });
    expect(entries()[0]?.err).toEqual({ name: 'DatabaseDown', message: 'down' });
  });

  it('leaves non-Error field values as they are', () => {
    const { log, entries } = capture('info');
    log.info('x', { n: 1, s: 's', list: [1, 2], nested: { a: { b: null } }, flag: false });
    expect(entries()[0]).toMatchObject({
      n: 1,
      s: 's',
      list: [1, 2],
      nested: { a: { b: null } },
      flag: false,
    });
  });
});
