/**
 * Property tests of the request schemas in shared/schema.ts: strict keys, bounded strings,
 * number ranges, ISO-8601 dates, and that valid generated bodies are accepted as they should be.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type * as z from 'zod/mini';
import {
  insertAnswerSchema,
  insertMessageSchema,
  insertQuestionSchema,
  insertTestAssignmentSchema,
  insertTestSchema,
  insertUserSchema,
  MAX_ID,
  questionTypes,
} from '../../shared/schema';

type Body = Record<string, unknown>;
type Schema = z.ZodMiniType;

// ---------------------------------------------------------------------------------------------
// Generators of valid values

/** Text that is still 1..max characters after trimming. */
const text = (max: number) =>
  fc.string({ minLength: 1, maxLength: Math.min(max, 200) }).filter((s) => s.trim().length > 0);
/** Text of optionalText(max): a string up to max (may be blank, then null), or null. */
const optionalText = (max: number) =>
  fc.oneof(fc.constant(null), fc.string({ maxLength: Math.min(max, 200) }));
const id = fc.integer({ min: 1, max: MAX_ID });
const username = fc.stringMatching(/^[A-Za-z0-9_.-]{3,32}$/);
const email = fc
  .tuple(
    fc.stringMatching(/^[a-z0-9_+-]{1,20}(\.[a-z0-9_+-]{1,10})?$/),
    fc.stringMatching(/^[a-z0-9]{1,20}(-[a-z0-9]{1,10})?$/),
    fc.constantFrom('com', 'org', 'io', 'co.uk', 'school'),
  )
  .map(([local, domain, tld]) => `${local}@${domain}.${tld}`);
const url = fc
  .webUrl({ validSchemes: ['http', 'https'], withQueryParameters: true, withFragments: true })
  .filter((u) => u.length <= 2_048);
/** Instants between 1970 and 9999 (a 4-digit year, as ISO-8601 needs). */
const instant = fc.date({
  min: new Date('1970-01-01T00:00:00Z'),
  max: new Date('9999-12-31T23:59:59Z'),
  noInvalidDate: true,
});
/** An ISO-8601 date-time (Z or an offset) or date, with the instant it means. */
const isoDate = fc.oneof(
  instant.map((d) => ({ text: d.toISOString(), time: d.getTime() })),
  instant.map((d) => ({ text: d.toISOString().replace('Z', '+00:00'), time: d.getTime() })),
  instant.map((d) => {
    const day = d.toISOString().slice(0, 10);
    return { text: day, time: Date.parse(`${day}T00:00:00Z`) };
  }),
);

/** fc.record with only the listed keys required. */
function body(
  fields: Record<string, fc.Arbitrary<unknown>>,
  required: string[],
): fc.Arbitrary<Body> {
  return fc.record(fields, { requiredKeys: required }) as fc.Arbitrary<Body>;
}

const validUser = body(
  {
    username,
    password: fc.string({ minLength: 8, maxLength: 128 }),
    name: text(100),
    email,
    role: fc.constantFrom('student', 'teacher'),
    class: optionalText(50),
    subject: optionalText(100),
    avatar: fc.oneof(fc.constant(null), url),
    teacherCode: fc.string({ maxLength: 200 }),
  },
  ['username', 'password', 'name', 'email'],
);

const validTest = fc
  .tuple(
    body(
      {
        title: text(200),
        description: optionalText(5_000),
        subject: text(100),
        class: text(50),
        totalMarks: fc.integer({ min: 0, max: 10_000 }),
        duration: fc.integer({ min: 1, max: 1_440 }),
        questionTypes: fc.uniqueArray(fc.constantFrom(...questionTypes), {
          maxLength: questionTypes.length,
        }),
        status: fc.constantFrom('draft', 'published', 'completed'),
        teacherId: id,
      },
      ['title', 'subject', 'class'],
    ),
    isoDate,
  )
  .map(([fields, date]) => ({ ...fields, testDate: date.text }));

const questionCommon = {
  text: text(10_000),
  marks: fc.double({ min: 0, max: 1_000, noNaN: true }),
  order: fc.integer({ min: 0, max: 10_000 }),
  aiRubric: optionalText(10_000),
  topic: optionalText(100),
  testId: id,
};
const validQuestion = fc.oneof(
  // An MCQ: options, and the key (if any) is the index of one of them.
  fc.array(text(1_000), { minLength: 2, maxLength: 20 }).chain((options) =>
    body(
      {
        ...questionCommon,
        type: fc.constant('mcq'),
        options: fc.constant(options),
        correctAnswer: fc.oneof(
          fc.constant(null),
          fc.integer({ min: 0, max: options.length - 1 }).map(String),
        ),
      },
      ['type', 'text', 'order', 'testId', 'options'],
    ),
  ),
  body(
    {
      ...questionCommon,
      type: fc.constantFrom('short', 'long', 'numerical'),
      options: fc.oneof(fc.constant(null), fc.array(text(1_000), { minLength: 2, maxLength: 20 })),
      correctAnswer: optionalText(10_000),
    },
    ['type', 'text', 'order', 'testId'],
  ),
);

const validAnswer = body(
  {
    attemptId: id,
    questionId: id,
    text: optionalText(20_000),
    selectedOption: fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 19 })),
    imageUrl: fc.oneof(fc.constant(null), url),
  },
  ['attemptId', 'questionId'],
);

const validMessage = body(
  {
    channelId: id,
    // Never blank: the schema rejects whitespace-only content (tested below).
    content: fc.string({ minLength: 1, maxLength: 300 }).filter((text) => text.trim().length > 0),
    type: fc.constantFrom('text', 'file', 'image'),
    fileUrl: fc.oneof(fc.constant(null), url),
    isHomework: fc.boolean(),
  },
  ['channelId', 'content'],
);

const validAssignment = fc
  .tuple(
    fc.oneof(
      fc.uniqueArray(id, { minLength: 1, maxLength: 30 }).map((studentIds) => ({ studentIds })),
      text(50).map((className) => ({ class: className })),
    ),
    isoDate,
  )
  .map(([target, date]) => ({ ...target, dueDate: date.text }) as Body);

// ---------------------------------------------------------------------------------------------
// Helpers

/** `base` with `key` set to `value` as an own, enumerable property (even '__proto__'). */
function withKey(base: Body, key: string, value: unknown): Body {
  const copy: Body = { ...base };
  Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

/** Asserts `schema` rejects `input` with an issue on `field` (the first path element). */
function expectRejectedAt(schema: Schema, input: unknown, field: string): void {
  const result = schema.safeParse(input);
  expect(result.success, JSON.stringify(input)?.slice(0, 300)).toBe(false);
  if (!result.success) expect(result.error.issues.map((issue) => issue.path[0])).toContain(field);
}

/**
 * Strings of minLength..maxLength non-blank characters (trimming cannot bring them back under a
 * bound), the shortest length always among them: that is the boundary a bound must hold at.
 */
const dense = (minLength: number, maxLength: number, chars = 'aZ9é_-') =>
  fc.oneof(fc.constant(minLength), fc.integer({ min: minLength, max: maxLength })).chain((length) =>
    fc.string({
      minLength: length,
      maxLength: length,
      unit: fc.constantFrom(...chars.split('')),
    }),
  );

/** Arrays of min..max items, the shortest length always among them. */
const arrayOf = <T>(item: fc.Arbitrary<T>, min: number, max: number) =>
  fc
    .oneof(fc.constant(min), fc.integer({ min, max }))
    .chain((length) => fc.array(item, { minLength: length, maxLength: length }));

interface Case {
  name: string;
  schema: Schema;
  valid: fc.Arbitrary<Body>;
  keys: string[];
}

const cases: Case[] = [
  { name: 'insertUserSchema', schema: insertUserSchema, valid: validUser, keys: [] },
  { name: 'insertTestSchema', schema: insertTestSchema, valid: validTest, keys: [] },
  { name: 'insertQuestionSchema', schema: insertQuestionSchema, valid: validQuestion, keys: [] },
  { name: 'insertAnswerSchema', schema: insertAnswerSchema, valid: validAnswer, keys: [] },
  { name: 'insertMessageSchema', schema: insertMessageSchema, valid: validMessage, keys: [] },
  {
    name: 'insertTestAssignmentSchema',
    schema: insertTestAssignmentSchema,
    valid: validAssignment,
    keys: [],
  },
];
/** The object schema's keys; a schema piped into a transform has them on its input side. */
function shapeKeys(schema: Schema): string[] {
  const { shape, def } = schema as unknown as { shape?: Body; def: { in?: { shape: Body } } };
  return Object.keys(shape ?? def.in?.shape ?? {});
}
for (const c of cases) c.keys = shapeKeys(c.schema);

// ---------------------------------------------------------------------------------------------

describe('every insert schema', () => {
  it.each(cases)('$name accepts generated valid bodies', ({ schema, valid }) => {
    fc.assert(
      fc.property(valid, (input) => {
        const result = schema.safeParse(input);
        expect(result.error?.issues ?? []).toEqual([]);
        expect(result.success).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it.each(cases)('$name rejects any key it does not know', ({ schema, valid, keys }) => {
    const extraKey = fc
      .oneof(
        fc.string({ minLength: 1, maxLength: 20 }),
        fc.constantFrom(
          '__proto__',
          'constructor',
          'prototype',
          'toString',
          'id',
          '_id',
          'isAdmin',
          'passwordHash',
          'score',
          'status',
          'studentId',
          'createdAt',
          '$where',
        ),
      )
      .filter((key) => !keys.includes(key));
    fc.assert(
      fc.property(valid, extraKey, fc.jsonValue(), (input, key, value) => {
        const result = schema.safeParse(withKey(input, key, value));
        expect(result.success).toBe(false);
        if (!result.success) {
          const unknown = result.error.issues.find((issue) => issue.code === 'unrecognized_keys');
          expect(unknown && 'keys' in unknown ? unknown.keys : []).toContain(key);
        }
      }),
      { numRuns: 300 },
    );
  });

  it.each(cases)('$name rejects a body that is not an object', ({ schema }) => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.nat())),
        (input) => {
          expect(schema.safeParse(input).success).toBe(false);
        },
      ),
    );
  });
});

describe('insertUserSchema', () => {
  it('trims and normalises: blank class/subject become null, role defaults to student', () => {
    fc.assert(
      fc.property(validUser, (input) => {
        const out = insertUserSchema.parse(input);
        expect(out.username).toBe(input.username);
        expect(out.name).toBe((input.name as string).trim());
        expect(out.role).toBe(input.role ?? 'student');
        if (typeof input.class === 'string') {
          expect(out.class).toBe(input.class.trim() === '' ? null : input.class.trim());
        }
      }),
    );
  });

  it('rejects strings over their maximum length', () => {
    const over: [string, fc.Arbitrary<unknown>][] = [
      ['username', dense(33, 80, 'aZ9_.-')],
      ['password', dense(129, 300, 'a é\t!')],
      ['name', dense(101, 300)],
      ['class', dense(51, 200)],
      ['subject', dense(101, 300)],
      ['teacherCode', dense(201, 400, 'a é\t!')],
      [
        'email',
        fc
          .integer({ min: 255 - '@example.com'.length, max: 400 })
          .map((n) => `${'a'.repeat(n)}@example.com`),
      ],
      [
        'avatar',
        fc
          .integer({ min: 2_049, max: 3_000 })
          .map((n) => `https://example.com/${'a'.repeat(n - 20)}`),
      ],
    ];
    for (const [field, value] of over) {
      fc.assert(
        fc.property(validUser, value, (input, v) => {
          expectRejectedAt(insertUserSchema as Schema, { ...input, [field]: v }, field);
        }),
        { numRuns: 50 },
      );
    }
  });

  it('rejects usernames outside 3..32 of letters, digits, _ . -', () => {
    fc.assert(
      fc.property(
        validUser,
        fc.oneof(
          dense(0, 2, 'ab'),
          fc
            .string({ minLength: 3, maxLength: 32 })
            .filter((s) => !/^[A-Za-z0-9_.-]+$/.test(s.trim())),
        ),
        (input, name) => {
          expectRejectedAt(insertUserSchema as Schema, { ...input, username: name }, 'username');
        },
      ),
    );
  });

  it('rejects non-http(s) avatars and short passwords', () => {
    for (const avatar of [
      'javascript:alert(1)',
      'ftp://example.com/a.png',
      'data:image/png;base64,AAAA',
      'not a url',
    ]) {
      fc.assert(
        fc.property(validUser, (input) => {
          expectRejectedAt(insertUserSchema as Schema, { ...input, avatar }, 'avatar');
        }),
        { numRuns: 10 },
      );
    }
    fc.assert(
      fc.property(validUser, fc.string({ maxLength: 7 }), (input, password) => {
        expectRejectedAt(insertUserSchema as Schema, { ...input, password }, 'password');
      }),
    );
  });
});

describe('insertTestSchema', () => {
  it('applies the defaults and parses testDate to the instant it names', () => {
    fc.assert(
      fc.property(text(200), isoDate, (title, date) => {
        const out = insertTestSchema.parse({
          title,
          subject: 'Maths',
          class: '8A',
          testDate: date.text,
        });
        expect(out).toEqual({
          title: title.trim(),
          subject: 'Maths',
          class: '8A',
          testDate: new Date(date.time),
          totalMarks: 100,
          duration: 60,
          questionTypes: [],
          status: 'draft',
          maxAttempts: 1,
        });
      }),
    );
  });

  it('rejects strings over their maximum length', () => {
    const over: [string, number][] = [
      ['title', 200],
      ['description', 5_000],
      ['subject', 100],
      ['class', 50],
    ];
    for (const [field, max] of over) {
      fc.assert(
        fc.property(validTest, dense(max + 1, max + 50), (input, v) => {
          expectRejectedAt(insertTestSchema as Schema, { ...input, [field]: v }, field);
        }),
        { numRuns: 30 },
      );
    }
  });

  it('rejects numbers out of range or not integers', () => {
    const ranges: [string, number, number][] = [
      ['totalMarks', 0, 10_000],
      ['duration', 1, 1_440],
      ['teacherId', 1, MAX_ID],
    ];
    for (const [field, min, max] of ranges) {
      fc.assert(
        fc.property(validTest, badInteger(min, max), (input, v) => {
          expectRejectedAt(insertTestSchema as Schema, { ...input, [field]: v }, field);
        }),
        { numRuns: 200 },
      );
    }
  });

  it('rejects dates that are not ISO-8601', () => {
    fc.assert(
      fc.property(validTest, notIsoDate, (input, v) => {
        expectRejectedAt(insertTestSchema as Schema, { ...input, testDate: v }, 'testDate');
      }),
      { numRuns: 300 },
    );
  });

  it('rejects unknown question types and more types than exist', () => {
    fc.assert(
      fc.property(validTest, (input) => {
        expectRejectedAt(
          insertTestSchema as Schema,
          { ...input, questionTypes: ['essay'] },
          'questionTypes',
        );
        expectRejectedAt(
          insertTestSchema as Schema,
          { ...input, questionTypes: ['mcq', 'short', 'long', 'numerical', 'mcq'] },
          'questionTypes',
        );
        expectRejectedAt(insertTestSchema as Schema, { ...input, status: 'archived' }, 'status');
      }),
      { numRuns: 20 },
    );
  });
});

/** Integers outside [min, max] (the nearest ones included), non-integers within it, NaN, ∞, strings. */
function badInteger(min: number, max: number): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constantFrom(min - 1, max + 1),
    fc.integer({ min: min - 1_000_000, max: min - 1 }),
    fc.integer({ min: max + 1, max: max + 1_000_000 }),
    fc
      .tuple(fc.integer({ min, max: max - 1 }), fc.constantFrom(0.5, 0.25, 0.001, 0.999))
      .map(([whole, fraction]) => whole + fraction),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, String(min)),
  );
}

/** Numbers outside [min, max] (non-integers inside are fine for these), NaN, infinities, strings. */
function badNumber(min: number, max: number): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc
      .double({ max: min, maxExcluded: true, noNaN: true, noDefaultInfinity: true, min: min - 1e6 })
      .filter((x) => x < min),
    fc.double({
      min: max,
      minExcluded: true,
      noNaN: true,
      noDefaultInfinity: true,
      max: max + 1e6,
    }),
    fc.constantFrom(min - 0.001, max + 0.001),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, String(min)),
  );
}

const pad = (n: number) => String(n).padStart(2, '0');
/** Date strings in the many shapes people send that are not ISO-8601, and impossible dates. */
const notIsoDate: fc.Arbitrary<unknown> = fc.oneof(
  instant.map((d) => d.toString()),
  instant.map((d) => d.toUTCString()),
  instant.map((d) => d.toLocaleDateString('en-US')),
  instant.map((d) => `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`),
  instant.map((d) => d.toISOString().slice(0, 10).replaceAll('-', '/')),
  instant.map((d) => d.toISOString().slice(0, 10).replaceAll('-', '')),
  instant.map((d) => d.toISOString().replace('T', ' ')),
  instant.map((d) => String(d.getTime())),
  instant.map((d) => d.getTime()),
  fc.constantFrom(
    '',
    'tomorrow',
    'now',
    '2024-02-30',
    '2023-02-29',
    '2024-13-01',
    '2024-04-31',
    '2024-00-10',
    '2024-1-5',
    '24-01-05',
    '2024-01-01T24:00:00Z',
    '2024-01-01T10:60:00Z',
    '2024-01-01T10:00:00+25:00',
    '+002024-01-01T00:00:00Z',
  ),
);

describe('insertQuestionSchema', () => {
  it('rejects strings over their maximum length', () => {
    const over: [string, number][] = [
      ['text', 10_000],
      ['correctAnswer', 10_000],
      ['aiRubric', 10_000],
      ['topic', 100],
    ];
    for (const [field, max] of over) {
      fc.assert(
        fc.property(validQuestion, dense(max + 1, max + 20), (input, v) => {
          expectRejectedAt(insertQuestionSchema as Schema, { ...input, [field]: v }, field);
        }),
        { numRuns: 20 },
      );
    }
    fc.assert(
      fc.property(validQuestion, dense(1_001, 1_050), (input, long) => {
        const options = ['a', long];
        expectRejectedAt(insertQuestionSchema as Schema, { ...input, options }, 'options');
      }),
      { numRuns: 20 },
    );
  });

  it('rejects fewer than 2 or more than 20 options', () => {
    fc.assert(
      fc.property(
        validQuestion,
        fc.oneof(fc.array(text(20), { maxLength: 1 }), arrayOf(text(20), 21, 40)),
        (input, options) => {
          expectRejectedAt(insertQuestionSchema as Schema, { ...input, options }, 'options');
        },
      ),
    );
  });

  it('rejects numbers out of range, and a non-integer order or testId', () => {
    fc.assert(
      fc.property(validQuestion, badNumber(0, 1_000), (input, v) => {
        expectRejectedAt(insertQuestionSchema as Schema, { ...input, marks: v }, 'marks');
      }),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(validQuestion, badInteger(0, 10_000), (input, v) => {
        expectRejectedAt(insertQuestionSchema as Schema, { ...input, order: v }, 'order');
      }),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(validQuestion, badInteger(1, MAX_ID), (input, v) => {
        expectRejectedAt(insertQuestionSchema as Schema, { ...input, testId: v }, 'testId');
      }),
      { numRuns: 200 },
    );
  });

  it('accepts fractional marks and defaults marks to 1', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1_000, noNaN: true }), (marks) => {
        const base = { testId: 1, type: 'short', text: 'Why?', order: 0 };
        expect(insertQuestionSchema.parse({ ...base, marks }).marks).toBe(marks);
        expect(insertQuestionSchema.parse(base).marks).toBe(1);
      }),
    );
  });

  it('requires an MCQ to have options and a key that indexes one of them', () => {
    fc.assert(
      fc.property(
        fc.array(text(50), { minLength: 2, maxLength: 20 }),
        fc.integer({ min: 0, max: 99 }),
        (options, index) => {
          const base = { testId: 1, type: 'mcq', text: 'Pick one', order: 0 };
          const result = insertQuestionSchema.safeParse({
            ...base,
            options,
            correctAnswer: String(index),
          });
          expect(result.success).toBe(index < options.length);
          expectRejectedAt(insertQuestionSchema as Schema, base, 'options');
          expectRejectedAt(
            insertQuestionSchema as Schema,
            { ...base, options, correctAnswer: 'x' },
            'correctAnswer',
          );
        },
      ),
    );
  });

  it('stores an MCQ key in its one canonical spelling ("01" -> "1"), other keys as written', () => {
    const mcq = { testId: 1, type: 'mcq', text: 'Pick one', order: 0, options: ['a', 'b', 'c'] };
    for (const [key, stored] of [
      ['01', '1'],
      ['00', '0'],
      [' 2 ', '2'],
      ['1', '1'],
    ]) {
      expect(insertQuestionSchema.parse({ ...mcq, correctAnswer: key }).correctAnswer).toBe(stored);
    }
    expectRejectedAt(
      insertQuestionSchema as Schema,
      { ...mcq, correctAnswer: '03' },
      'correctAnswer',
    );
    const short = { testId: 1, type: 'short', text: 'Why?', order: 0, correctAnswer: '007' };
    expect(insertQuestionSchema.parse(short).correctAnswer).toBe('007');
  });
});

describe('insertAnswerSchema', () => {
  it('rejects an answer text over 20,000 characters and a non-http(s) image', () => {
    fc.assert(
      fc.property(validAnswer, dense(20_001, 20_010), (input, v) => {
        expectRejectedAt(insertAnswerSchema as Schema, { ...input, text: v }, 'text');
        expectRejectedAt(
          insertAnswerSchema as Schema,
          { ...input, imageUrl: `https://example.com/${'a'.repeat(2_048)}` },
          'imageUrl',
        );
        expectRejectedAt(
          insertAnswerSchema as Schema,
          { ...input, imageUrl: 'file:///etc/passwd' },
          'imageUrl',
        );
      }),
      { numRuns: 10 },
    );
  });

  it('rejects ids and selectedOption out of range or not integers', () => {
    const ranges: [string, number, number][] = [
      ['attemptId', 1, MAX_ID],
      ['questionId', 1, MAX_ID],
      ['selectedOption', 0, 19],
    ];
    for (const [field, min, max] of ranges) {
      fc.assert(
        fc.property(validAnswer, badInteger(min, max), (input, v) => {
          expectRejectedAt(insertAnswerSchema as Schema, { ...input, [field]: v }, field);
        }),
        { numRuns: 200 },
      );
    }
  });

  it('never lets a student send a score, feedback or correctness', () => {
    fc.assert(
      fc.property(
        validAnswer,
        fc.constantFrom('score', 'feedback', 'isCorrect', 'aiFeedback'),
        (input, key) => {
          const result = insertAnswerSchema.safeParse({ ...input, [key]: 1 });
          expect(result.success).toBe(false);
          expect(result.error?.issues).toEqual([
            expect.objectContaining({ code: 'unrecognized_keys', keys: [key], path: [] }),
          ]);
        },
      ),
      { numRuns: 20 },
    );
  });
});

describe('insertMessageSchema', () => {
  it('applies defaults and keeps content as sent', () => {
    fc.assert(
      fc.property(
        id,
        fc.string({ minLength: 1, maxLength: 4_000 }).filter((text) => text.trim().length > 0),
        (channelId, content) => {
          expect(insertMessageSchema.parse({ channelId, content })).toEqual({
            channelId,
            content,
            type: 'text',
            isHomework: false,
          });
        },
      ),
    );
  });

  it('rejects whitespace-only content', () => {
    for (const content of [' ', '\n\t ', '   \u00a0']) {
      expectRejectedAt(insertMessageSchema as Schema, { channelId: 1, content }, 'content');
    }
  });

  it('rejects empty content, content over 4,000 characters, and a bad channel id', () => {
    fc.assert(
      fc.property(validMessage, dense(4_001, 4_100, 'a é\n'), (input, v) => {
        expectRejectedAt(insertMessageSchema as Schema, { ...input, content: v }, 'content');
        expectRejectedAt(insertMessageSchema as Schema, { ...input, content: '' }, 'content');
      }),
      { numRuns: 30 },
    );
    fc.assert(
      fc.property(validMessage, badInteger(1, MAX_ID), (input, v) => {
        expectRejectedAt(insertMessageSchema as Schema, { ...input, channelId: v }, 'channelId');
      }),
      { numRuns: 200 },
    );
  });

  it('rejects an unknown type, a non-boolean isHomework and a long or non-http(s) fileUrl', () => {
    fc.assert(
      fc.property(validMessage, (input) => {
        expectRejectedAt(insertMessageSchema as Schema, { ...input, type: 'video' }, 'type');
        expectRejectedAt(
          insertMessageSchema as Schema,
          { ...input, isHomework: 'true' },
          'isHomework',
        );
        expectRejectedAt(
          insertMessageSchema as Schema,
          { ...input, fileUrl: `http://example.com/${'a'.repeat(2_048)}` },
          'fileUrl',
        );
        expectRejectedAt(
          insertMessageSchema as Schema,
          { ...input, fileUrl: 'javascript:alert(1)' },
          'fileUrl',
        );
      }),
      { numRuns: 20 },
    );
  });
});

describe('insertTestAssignmentSchema', () => {
  it('parses dueDate to the instant it names', () => {
    fc.assert(
      fc.property(isoDate, (date) => {
        const out = insertTestAssignmentSchema.parse({ class: '8A', dueDate: date.text });
        expect(out).toEqual({ class: '8A', dueDate: new Date(date.time) });
      }),
    );
  });

  it('needs exactly one of studentIds and class', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(id, { minLength: 1, maxLength: 5 }),
        text(50),
        isoDate,
        (ids, cls, date) => {
          expectRejectedAt(
            insertTestAssignmentSchema as Schema,
            { studentIds: ids, class: cls, dueDate: date.text },
            'studentIds',
          );
          expectRejectedAt(
            insertTestAssignmentSchema as Schema,
            { dueDate: date.text },
            'studentIds',
          );
        },
      ),
    );
  });

  it('rejects a class over 50 characters and more than 500 or no students', () => {
    fc.assert(
      fc.property(dense(51, 100), isoDate, (cls, date) => {
        expectRejectedAt(
          insertTestAssignmentSchema as Schema,
          { class: cls, dueDate: date.text },
          'class',
        );
      }),
      { numRuns: 50 },
    );
    fc.assert(
      fc.property(arrayOf(id, 501, 600), isoDate, (ids, date) => {
        expectRejectedAt(
          insertTestAssignmentSchema as Schema,
          { studentIds: ids, dueDate: date.text },
          'studentIds',
        );
      }),
      { numRuns: 10 },
    );
    expectRejectedAt(
      insertTestAssignmentSchema as Schema,
      { studentIds: [], dueDate: '2030-01-01' },
      'studentIds',
    );
  });

  it('rejects student ids out of range or not integers', () => {
    fc.assert(
      fc.property(badInteger(1, MAX_ID), isoDate, (bad, date) => {
        expectRejectedAt(
          insertTestAssignmentSchema as Schema,
          { studentIds: [5, bad], dueDate: date.text },
          'studentIds',
        );
      }),
      { numRuns: 200 },
    );
  });

  it('rejects due dates that are not ISO-8601', () => {
    fc.assert(
      fc.property(notIsoDate, (v) => {
        expectRejectedAt(
          insertTestAssignmentSchema as Schema,
          { class: '8A', dueDate: v },
          'dueDate',
        );
      }),
      { numRuns: 300 },
    );
  });
});
