/** The Snowflake layout, generator rules and the decimal edge format (lib/ids/snowflake.ts). */
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
import { fakeClock } from '../helpers/fake-clock';

const T = Date.parse('2026-03-01T12:00:00.000Z');

/** mulberry32: a seeded PRNG, so the randomised cases are the same on every run. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function randomInt(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

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

  it('round-trips time, worker and sequence for 10,000 random field values', () => {
    const random = seededRandom(20240101);
    for (let i = 0; i < 10_000; i += 1) {
      const time = randomInt(random, SNOWFLAKE_EPOCH_MS, MAX_SNOWFLAKE_TIME_MS);
      const worker = randomInt(random, 0, MAX_WORKER_ID);
      const sequence = randomInt(random, 0, MAX_SEQUENCE);
      const id = makeSnowflake(time, worker, sequence);
      expect([snowflakeTime(id), snowflakeWorker(id), snowflakeSequence(id)]).toEqual([
        time,
        worker,
        sequence,
      ]);
    }
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

  it('never repeats an id across random clock steps, bursts and worker changes (seeded)', () => {
    const random = seededRandom(7);
    const clock = fakeClock(T);
    const seen = new Set<bigint>();
    let generator = new SnowflakeGenerator(0, { now: clock.now });
    let previous = -1n;
    let minted = 0;
    for (let round = 0; round < 2_000; round += 1) {
      const burst = randomInt(random, 1, 40);
      for (let i = 0; i < burst; i += 1) {
        const id = generator.next();
        expect(id > previous).toBe(true);
        seen.add(id);
        previous = id;
        minted += 1;
      }
      if (random() < 0.1) {
        generator = new SnowflakeGenerator(randomInt(random, 0, MAX_WORKER_ID), {
          now: clock.now,
          notBefore: generator.lastTimestamp,
        });
        clock.advance(1); // a fresh generator needs a later ms than notBefore
      }
      clock.advance(randomInt(random, 0, 2));
    }
    expect(minted).toBeGreaterThan(20_000);
    expect(seen.size).toBe(minted);
  });
});

describe('formatSnowflake / parseSnowflake', () => {
  it('round-trips 0, 1, 2^63 - 1 and 10,000 random ids', () => {
    expect(formatSnowflake(0n)).toBe('0');
    expect(formatSnowflake(MAX_SNOWFLAKE)).toBe('9223372036854775807');
    expect(parseSnowflake('9223372036854775807')).toBe(2n ** 63n - 1n);
    for (const id of [0n, 1n, 4198401n, MAX_SNOWFLAKE]) {
      expect(parseSnowflake(formatSnowflake(id))).toBe(id);
    }
    const random = seededRandom(42);
    for (let i = 0; i < 10_000; i += 1) {
      const id =
        (BigInt(randomInt(random, 0, 2 ** 31 - 1)) << 32n) |
        BigInt(randomInt(random, 0, 2 ** 32 - 1));
      const text = formatSnowflake(id);
      expect(text).toMatch(/^(0|[1-9][0-9]*)$/);
      expect(parseSnowflake(text)).toBe(id);
    }
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
