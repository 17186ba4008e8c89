/** The Snowflake layout, generator rules and the decimal edge format (lib/ids/snowflake.ts). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ClockMovedBackwardsError,
  InvalidSnowflakeError,
  SnowflakeTimeOutOfRangeError,
} from '../../lib/ids/errors';
import {
  formatSnowflake,
  lowestSnowflakeAt,
  MAX_SEQUENCE,
  MAX_SNOWFLAKE,
  MAX_SNOWFLAKE_TIME_MS,
  MAX_WORKER_ID,
  makeSnowflake,
  parseSnowflake,
  SNOWFLAKE_EPOCH_MS,
  SnowflakeGenerator,
  snowflakeSequence,
  snowflakeTime,
  snowflakeWorker,
} from '../../lib/ids/snowflake';
import { snowflakeSchema } from '../../shared/schema';
import { fakeClock } from '../helpers/fake-clock';

const T = Date.parse('2026-03-01T12:00:00.000Z');

/** What `run` throws (undefined when it returns). */
function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** An id of the layout, bit by bit: 0 | 41 time | 10 worker | 12 sequence. */
function bits(id: bigint): string {
  return id.toString(2).padStart(64, '0');
}

describe('Snowflake layout', () => {
  it('puts time since 2024-01-01, worker and sequence in 41, 10 and 12 bits under a 0 sign bit', () => {
    expect(SNOWFLAKE_EPOCH_MS).toBe(Date.parse('2024-01-01T00:00:00.000Z'));
    expect(makeSnowflake(SNOWFLAKE_EPOCH_MS, 0, 0)).toBe(0n);
    const id = makeSnowflake(SNOWFLAKE_EPOCH_MS + 5, 3, 7);
    expect(id).toBe((5n << 22n) | (3n << 12n) | 7n);
    expect(bits(makeSnowflake(MAX_SNOWFLAKE_TIME_MS, 0, 0))).toBe(
      `0${'1'.repeat(41)}${'0'.repeat(22)}`,
    );
    expect(bits(makeSnowflake(SNOWFLAKE_EPOCH_MS, MAX_WORKER_ID, 0))).toBe(
      `${'0'.repeat(42)}${'1'.repeat(10)}${'0'.repeat(12)}`,
    );
    expect(makeSnowflake(MAX_SNOWFLAKE_TIME_MS, MAX_WORKER_ID, MAX_SEQUENCE)).toBe(MAX_SNOWFLAKE);
  });

  it('covers ~69 years, up to 2093-09-06', () => {
    expect(new Date(MAX_SNOWFLAKE_TIME_MS).toISOString()).toBe('2093-09-06T15:47:35.551Z');
  });

  it('round-trips time, worker and sequence (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: SNOWFLAKE_EPOCH_MS, max: MAX_SNOWFLAKE_TIME_MS }),
        fc.integer({ min: 0, max: MAX_WORKER_ID }),
        fc.integer({ min: 0, max: MAX_SEQUENCE }),
        (time, worker, sequence) => {
          const id = makeSnowflake(time, worker, sequence);
          expect(id >= 0n && id <= MAX_SNOWFLAKE).toBe(true);
          expect([snowflakeTime(id), snowflakeWorker(id), snowflakeSequence(id)]).toEqual([
            time,
            worker,
            sequence,
          ]);
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it('orders ids as (time, worker, sequence) tuples (property)', () => {
    const fields = fc.tuple(
      fc.integer({ min: SNOWFLAKE_EPOCH_MS, max: MAX_SNOWFLAKE_TIME_MS }),
      fc.integer({ min: 0, max: MAX_WORKER_ID }),
      fc.integer({ min: 0, max: MAX_SEQUENCE }),
    );
    fc.assert(
      fc.property(fields, fields, (a, b) => {
        const byTuple = a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
        const idA = makeSnowflake(...a);
        const idB = makeSnowflake(...b);
        expect(Math.sign(byTuple)).toBe(idA < idB ? -1 : idA > idB ? 1 : 0);
      }),
      { numRuns: 5_000 },
    );
  });

  it('orders ids by time first, then worker, then sequence', () => {
    const earlier = makeSnowflake(T, MAX_WORKER_ID, MAX_SEQUENCE);
    const later = makeSnowflake(T + 1, 0, 0);
    expect(earlier < later).toBe(true);
    expect(makeSnowflake(T, 1, MAX_SEQUENCE) < makeSnowflake(T, 2, 0)).toBe(true);
  });

  it('refuses fields out of range', () => {
    expect(() => makeSnowflake(SNOWFLAKE_EPOCH_MS - 1, 0, 0)).toThrow(SnowflakeTimeOutOfRangeError);
    expect(() => makeSnowflake(MAX_SNOWFLAKE_TIME_MS + 1, 0, 0)).toThrow(
      SnowflakeTimeOutOfRangeError,
    );
    expect(() => makeSnowflake(T + 0.5, 0, 0)).toThrow(SnowflakeTimeOutOfRangeError);
    expect(() => makeSnowflake(T, MAX_WORKER_ID + 1, 0)).toThrow(RangeError);
    expect(() => makeSnowflake(T, -1, 0)).toThrow(RangeError);
    expect(() => makeSnowflake(T, 0, MAX_SEQUENCE + 1)).toThrow(RangeError);
  });

  it('extracts nothing from a value that is not an id', () => {
    expect(() => snowflakeTime(-1n)).toThrow(InvalidSnowflakeError);
    expect(() => snowflakeWorker(MAX_SNOWFLAKE + 1n)).toThrow(InvalidSnowflakeError);
  });

  it('lowestSnowflakeAt(t) is <= every id of ms t and > every id of ms t-1', () => {
    const lowest = lowestSnowflakeAt(T);
    expect(snowflakeTime(lowest)).toBe(T);
    expect(lowest <= makeSnowflake(T, 0, 0)).toBe(true);
    expect(lowest <= makeSnowflake(T, 517, 9)).toBe(true);
    expect(makeSnowflake(T - 1, MAX_WORKER_ID, MAX_SEQUENCE) < lowest).toBe(true);
    expect(lowestSnowflakeAt(SNOWFLAKE_EPOCH_MS)).toBe(0n);
    expect(() => lowestSnowflakeAt(0)).toThrow(SnowflakeTimeOutOfRangeError);
  });
});

describe('SnowflakeGenerator', () => {
  it('stamps the clock time and its worker id, numbering ids within a millisecond', () => {
    const clock = fakeClock(T);
    const generator = new SnowflakeGenerator(837, { now: clock.now });
    const ids = [generator.next(), generator.next(), generator.next()];
    expect(ids.map(snowflakeTime)).toEqual([T, T, T]);
    expect(ids.map(snowflakeWorker)).toEqual([837, 837, 837]);
    expect(ids.map(snowflakeSequence)).toEqual([0, 1, 2]);
    clock.advance(1);
    const next = generator.next();
    expect([snowflakeTime(next), snowflakeSequence(next)]).toEqual([T + 1, 0]);
    expect(generator.lastTimestamp).toBe(T + 1);
  });

  it('mints strictly increasing ids on the real clock (300,000 in a row)', () => {
    const generator = new SnowflakeGenerator(5);
    const started = Date.now();
    let previous = generator.next();
    for (let i = 1; i < 300_000; i += 1) {
      const id = generator.next();
      if (id <= previous) expect.fail(`id ${id} after ${previous} at #${i}`);
      previous = id;
    }
    const elapsed = Date.now() - started;
    expect(snowflakeWorker(previous)).toBe(5);
    expect(snowflakeTime(previous)).toBeGreaterThanOrEqual(started);
    console.log(
      `[ids] single generator: 300000 ids in ${elapsed} ms (${Math.round(300_000 / Math.max(elapsed, 1))}k ids/s)`,
    );
  });

  it('mints 4,096 ids in one millisecond, then waits for the next one, polling the clock', () => {
    const POLLS_BEFORE_TICK = 50;
    let reads = 0;
    // Reads T for the 4,096 mints plus 50 more polls, then T + 1: only polling moves time.
    const now = () => {
      reads += 1;
      return reads <= 4_096 + POLLS_BEFORE_TICK ? T : T + 1;
    };
    const generator = new SnowflakeGenerator(9, { now });
    const ids = Array.from({ length: 4_096 }, () => generator.next());
    expect(ids.every((id) => snowflakeTime(id) === T)).toBe(true);
    expect(ids.map(snowflakeSequence)).toEqual(Array.from({ length: 4_096 }, (_, i) => i));
    expect(reads).toBe(4_096);

    const next = generator.next();
    expect(snowflakeTime(next)).toBe(T + 1);
    expect(snowflakeSequence(next)).toBe(0);
    expect(reads).toBe(4_096 + POLLS_BEFORE_TICK + 1);
    expect(new Set([...ids, next]).size).toBe(4_097);
  });

  it('refuses to mint when the clock moved backwards, and mints nothing', () => {
    const clock = fakeClock(T);
    const generator = new SnowflakeGenerator(1, { now: clock.now });
    const first = generator.next();
    clock.set(T - 3);
    const error = thrownBy(() => generator.next());
    expect(error).toBeInstanceOf(ClockMovedBackwardsError);
    expect(error).toMatchObject({ lastMs: T, nowMs: T - 3 });
    clock.set(T);
    // Sequence 1: the refused call consumed nothing.
    expect(generator.next()).toBe(first + 1n);
  });

  it('refuses a clock that moves backwards while it waits for the next millisecond', () => {
    let reads = 0;
    const now = () => {
      reads += 1;
      return reads <= 4_096 ? T : T - 1;
    };
    const generator = new SnowflakeGenerator(2, { now });
    for (let i = 0; i < 4_096; i += 1) generator.next();
    expect(() => generator.next()).toThrow(ClockMovedBackwardsError);
  });

  it('starts after notBefore: the same millisecond is waited out', () => {
    let reads = 0;
    const now = () => {
      reads += 1;
      return reads <= 10 ? T : T + 1;
    };
    const generator = new SnowflakeGenerator(3, { now, notBefore: T });
    expect(generator.lastTimestamp).toBe(T);
    const id = generator.next();
    expect(snowflakeTime(id)).toBe(T + 1);
    expect(reads).toBe(11);
  });

  it('refuses a clock earlier than notBefore', () => {
    const clock = fakeClock(T - 1);
    const generator = new SnowflakeGenerator(3, { now: clock.now, notBefore: T });
    expect(() => generator.next()).toThrow(ClockMovedBackwardsError);
  });

  it('keeps an instance monotonic across a change of worker id (notBefore = last timestamp)', () => {
    const clock = fakeClock(T);
    const onHighSlot = new SnowflakeGenerator(1000, { now: clock.now });
    const before = [onHighSlot.next(), onHighSlot.next()];
    // Still T when the lower worker id starts: minting now would give a smaller id than `before`.
    let polls = 0;
    const onLowSlot = new SnowflakeGenerator(4, {
      now: () => (++polls > 3 ? T + 1 : T),
      notBefore: onHighSlot.lastTimestamp,
    });
    const after = onLowSlot.next();
    expect(snowflakeWorker(after)).toBe(4);
    expect(snowflakeTime(after)).toBe(T + 1);
    expect(before.every((id) => id < after)).toBe(true);
  });

  it('refuses worker ids outside 0..1023 and clocks outside the epoch range', () => {
    expect(() => new SnowflakeGenerator(1024)).toThrow(RangeError);
    expect(() => new SnowflakeGenerator(-1)).toThrow(RangeError);
    expect(() => new SnowflakeGenerator(1.5)).toThrow(RangeError);
    expect(() => new SnowflakeGenerator(0, { notBefore: Number.NaN })).toThrow(RangeError);
    expect(() => new SnowflakeGenerator(0, { now: () => SNOWFLAKE_EPOCH_MS - 1 }).next()).toThrow(
      SnowflakeTimeOutOfRangeError,
    );
    expect(() => new SnowflakeGenerator(0, { now: () => T + 0.25 }).next()).toThrow(
      SnowflakeTimeOutOfRangeError,
    );
  });

  it('mints strictly increasing ids, <= 4,096 per ms, across clock steps and worker changes (property)', () => {
    // A run: bursts of ids (small ones, or ones that overflow a millisecond), each followed by a
    // clock step of 0..2 ms and maybe a new worker id (a new generator with notBefore, as
    // MessageIdSource builds on a slot change).
    const step = fc.record({
      burst: fc.oneof(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 4_000, max: 4_500 })),
      advanceMs: fc.integer({ min: 0, max: 2 }),
      newWorker: fc.option(fc.integer({ min: 0, max: MAX_WORKER_ID }), { freq: 4 }),
    });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 20 }), (steps) => {
        // The clock ticks by itself after 100 reads in one ms, so waiting for the next ms ends.
        let now = T;
        let readsThisMs = 0;
        const clock = () => {
          readsThisMs += 1;
          if (readsThisMs > 100) {
            now += 1;
            readsThisMs = 0;
          }
          return now;
        };
        let generator = new SnowflakeGenerator(0, { now: clock });
        let previous = -1n;
        let sameMs = 0; // ids in a row with the same (time, worker): consecutive, as ids increase
        for (const { burst, advanceMs, newWorker } of steps) {
          for (let i = 0; i < burst; i += 1) {
            const id = generator.next();
            if (id <= previous) expect.fail(`id ${id} after ${previous}`);
            sameMs = previous >= 0n && id >> 12n === previous >> 12n ? sameMs + 1 : 1;
            if (sameMs > 4_096) expect.fail(`more than 4,096 ids in one ms: ${id}`);
            previous = id;
          }
          expect(snowflakeWorker(previous)).toBe(generator.workerId);
          if (newWorker !== null) {
            generator = new SnowflakeGenerator(newWorker, {
              now: clock,
              notBefore: generator.lastTimestamp,
            });
          }
          now += advanceMs;
          readsThisMs = 0;
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe('formatSnowflake / parseSnowflake', () => {
  it('round-trips 0, 2^63 - 1 and every id in between (property)', () => {
    expect(formatSnowflake(0n)).toBe('0');
    expect(formatSnowflake(MAX_SNOWFLAKE)).toBe('9223372036854775807');
    expect(parseSnowflake('9223372036854775807')).toBe(2n ** 63n - 1n);
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX_SNOWFLAKE }), (id) => {
        const text = formatSnowflake(id);
        expect(text).toMatch(/^(0|[1-9][0-9]*)$/);
        expect(parseSnowflake(text)).toBe(id);
      }),
      { numRuns: 10_000 },
    );
  });

  it('accepts exactly what the API schema accepts (shared/schema snowflakeSchema)', () => {
    const numberish = fc.oneof(
      fc.string(),
      fc.stringMatching(/^[-+ 0]?[0-9]{1,21}[ .e]?[0-9]?$/),
      fc.bigInt({ min: -10n, max: 2n ** 64n }).map(String),
    );
    fc.assert(
      fc.property(numberish, (text) => {
        const accepted = snowflakeSchema.safeParse(text).success;
        if (accepted) expect(parseSnowflake(text)).toBe(BigInt(text));
        else expect(() => parseSnowflake(text)).toThrow(InvalidSnowflakeError);
      }),
      { numRuns: 5_000 },
    );
  });

  it('keeps precision a JS number would lose', () => {
    const id = 2n ** 62n + 1n;
    expect(formatSnowflake(id)).toBe('4611686018427387905');
    expect(String(Number(id))).not.toBe('4611686018427387905');
  });

  it.each([
    ['empty', ''],
    ['negative', '-1'],
    ['plus sign', '+1'],
    ['leading zero', '01'],
    ['leading zeros', '0000000000000000001'],
    ['exponent', '1e3'],
    ['leading space', ' 1'],
    ['trailing space', '1 '],
    ['trailing newline', '1\n'],
    ['2^63', '9223372036854775808'],
    ['19 nines', '9999999999999999999'],
    ['20 digits', '10000000000000000000'],
    ['30 digits', '1'.repeat(30)],
    ['hex', '0x1f'],
    ['decimal point', '1.0'],
    ['underscore separator', '1_000'],
    ['letters', 'abc'],
    ['Arabic-Indic digits', '١٢٣'],
    ['fullwidth digits', '１２３'],
  ])('rejects %s: %j', (_, text) => {
    expect(() => parseSnowflake(text)).toThrow(InvalidSnowflakeError);
  });

  it('rejects a non-string at run time (JSON numbers must not be accepted as ids)', () => {
    expect(() => parseSnowflake(123 as unknown as string)).toThrow(InvalidSnowflakeError);
  });

  it('accepts "0" and 19-digit ids up to 2^63 - 1', () => {
    expect(parseSnowflake('0')).toBe(0n);
    expect(parseSnowflake('1111111111111111111')).toBe(1111111111111111111n);
  });

  it('quotes a bounded prefix of bad input in the error message', () => {
    expect(() => parseSnowflake('9'.repeat(10_000))).toThrow(/^not a Snowflake id: "9{40}"$/);
  });

  it('refuses to format a bigint outside 0..2^63-1', () => {
    expect(() => formatSnowflake(-1n)).toThrow(InvalidSnowflakeError);
    expect(() => formatSnowflake(MAX_SNOWFLAKE + 1n)).toThrow(InvalidSnowflakeError);
  });
});
