/** Property tests of the id schemas and the message history query (shared/schema.ts). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  idParamSchema,
  idSchema,
  MAX_ID,
  messageHistoryQuerySchema,
  snowflakeSchema,
} from '../../shared/schema';

const MAX_INT64 = 2n ** 63n - 1n;

/** Strings that look numeric, or nearly: the inputs most likely to slip through a bad regex. */
const numberish = fc.oneof(
  fc.string(),
  fc.stringMatching(/^[-+ 0]?[0-9]{1,21}[ .e]?[0-9]?$/),
  fc.integer({ min: -10, max: 2 ** 32 }).map(String),
  fc.bigInt({ min: -10n, max: 2n ** 64n }).map(String),
  fc.constantFrom('', ' ', '0x10', '1_000', '١٢٣', '１２３', '1\n', '\t1', 'Infinity', 'NaN'),
);

describe('idParamSchema', () => {
  it('accepts exactly /^[1-9][0-9]{0,9}$/ up to MAX_ID, as that number', () => {
    fc.assert(
      fc.property(numberish, (text) => {
        const result = idParamSchema.safeParse(text);
        const expected = /^[1-9][0-9]{0,9}$/.test(text) && Number(text) <= MAX_ID;
        expect(result.success).toBe(expected);
        if (result.success) expect(result.data).toBe(Number(text));
      }),
      { numRuns: 2_000 },
    );
  });

  it('accepts every id 1..MAX_ID written in decimal', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_ID }), (id) => {
        expect(idParamSchema.parse(String(id))).toBe(id);
      }),
    );
    expect(idParamSchema.parse('1')).toBe(1);
    expect(idParamSchema.parse(String(MAX_ID))).toBe(MAX_ID);
  });

  it.each([
    '0',
    '-1',
    '1e3',
    ' 1',
    '1 ',
    '01',
    '+1',
    '1.0',
    '0x1',
    '',
    '2147483648',
    '9999999999',
    '10000000000',
  ])('rejects %j', (text) => {
    expect(idParamSchema.safeParse(text).success).toBe(false);
  });

  it('rejects anything that is not a string', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.object()),
        (value) => {
          expect(idParamSchema.safeParse(value).success).toBe(false);
        },
      ),
    );
  });
});

describe('idSchema (ids in a JSON body)', () => {
  it('accepts the integers 1..MAX_ID and nothing else', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
          fc.double(),
          fc.constantFrom(0, -0, MAX_ID, MAX_ID + 1, Number.NaN, Number.POSITIVE_INFINITY, 1.5),
        ),
        (value) => {
          const expected = Number.isInteger(value) && value >= 1 && value <= MAX_ID;
          expect(idSchema.safeParse(value).success).toBe(expected);
        },
      ),
      { numRuns: 1_000 },
    );
    expect(idSchema.safeParse('1').success).toBe(false);
  });
});

describe('snowflakeSchema', () => {
  it('accepts every decimal 0..2^63-1 unchanged', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX_INT64 }), (n) => {
        expect(snowflakeSchema.parse(String(n))).toBe(String(n));
      }),
      { numRuns: 1_000 },
    );
    expect(snowflakeSchema.parse('0')).toBe('0');
    expect(snowflakeSchema.parse('9223372036854775807')).toBe('9223372036854775807');
  });

  it('rejects every decimal above 2^63-1', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: MAX_INT64 + 1n, max: 2n ** 80n }), (n) => {
        expect(snowflakeSchema.safeParse(String(n)).success).toBe(false);
      }),
    );
  });

  it('accepts exactly canonical decimals within range', () => {
    fc.assert(
      fc.property(numberish, (text) => {
        const expected = /^(0|[1-9][0-9]*)$/.test(text) && BigInt(text) <= MAX_INT64;
        expect(snowflakeSchema.safeParse(text).success).toBe(expected);
      }),
      { numRuns: 2_000 },
    );
  });

  it.each([
    '9223372036854775808',
    '18446744073709551615',
    '-1',
    '01',
    '00',
    '1.0',
    '1e3',
    'abc',
    '0x10',
    ' 1',
    '',
  ])('rejects %j (safeParse answers, never throws)', (text) => {
    let success: boolean | undefined;
    expect(() => {
      success = snowflakeSchema.safeParse(text).success;
    }).not.toThrow();
    expect(success).toBe(false);
  });

  it('rejects a number: ids travel as strings', () => {
    expect(snowflakeSchema.safeParse(1).success).toBe(false);
    expect(snowflakeSchema.safeParse(2n).success).toBe(false);
  });
});

describe('messageHistoryQuerySchema', () => {
  it('defaults limit to 50', () => {
    expect(messageHistoryQuerySchema.parse({})).toEqual({ limit: 50 });
  });

  it('accepts limit "1".."100" as a number', () => {
    for (let n = 1; n <= 100; n += 1) {
      expect(messageHistoryQuerySchema.parse({ limit: String(n) })).toEqual({ limit: n });
    }
  });

  it.each(['0', '101', '-5', 'abc', '1.5', '', ' 5', '05', '1e2', '999', '100000'])(
    'rejects limit %j',
    (limit) => {
      const result = messageHistoryQuerySchema.safeParse({ limit });
      expect(result.success).toBe(false);
      if (!result.success) expect(result.error.issues[0]?.path).toEqual(['limit']);
    },
  );

  it('rejects any limit string outside "1".."100"', () => {
    fc.assert(
      fc.property(numberish, (limit) => {
        const expected = /^[1-9][0-9]*$/.test(limit) && Number(limit) <= 100;
        const result = messageHistoryQuerySchema.safeParse({ limit });
        expect(result.success).toBe(expected);
        if (result.success) expect(result.data.limit).toBe(Number(limit));
      }),
      { numRuns: 1_000 },
    );
  });

  it('rejects a numeric limit (query strings are strings)', () => {
    expect(messageHistoryQuerySchema.safeParse({ limit: 10 }).success).toBe(false);
  });

  it('takes before and after as Snowflakes', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: MAX_INT64 }),
        fc.bigInt({ min: 0n, max: MAX_INT64 }),
        (before, after) => {
          expect(
            messageHistoryQuerySchema.parse({ before: String(before), after: String(after) }),
          ).toEqual({ limit: 50, before: String(before), after: String(after) });
        },
      ),
    );
    expect(messageHistoryQuerySchema.safeParse({ before: '9223372036854775808' }).success).toBe(
      false,
    );
    expect(messageHistoryQuerySchema.safeParse({ after: '-1' }).success).toBe(false);
  });

  // The Snowflake check must not run on a string that is not decimal digits (BigInt would throw).
  it.each(['abc', '1.0', '1e3', '-1', '01', ' 1', '', '9223372036854775808'])(
    'rejects before/after %j with an issue on that key, without throwing',
    (value) => {
      for (const key of ['before', 'after'] as const) {
        let result: ReturnType<typeof messageHistoryQuerySchema.safeParse> | undefined;
        expect(() => {
          result = messageHistoryQuerySchema.safeParse({ [key]: value });
        }).not.toThrow();
        expect(result?.success).toBe(false);
        expect(result?.error?.issues.map((issue) => issue.path[0])).toContain(key);
      }
    },
  );

  it('rejects unknown keys', () => {
    fc.assert(
      fc.property(
        fc
          .oneof(fc.string({ minLength: 1 }), fc.constantFrom('__proto__', 'constructor', 'offset'))
          .filter((key) => !['limit', 'before', 'after'].includes(key)),
        fc.string(),
        (key, value) => {
          const input: Record<string, unknown> = { limit: '10' };
          Object.defineProperty(input, key, { value, enumerable: true, writable: true });
          const result = messageHistoryQuerySchema.safeParse(input);
          expect(result.success).toBe(false);
          if (!result.success) {
            expect(result.error.issues.map((issue) => issue.code)).toContain('unrecognized_keys');
          }
        },
      ),
    );
  });
});
