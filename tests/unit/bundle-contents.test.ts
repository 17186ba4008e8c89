/**
 * The bundle check of verify:deploy (harness/bundle-contents.ts) must see each thing it forbids in a
 * real esbuild bundle, and nothing in a bundle that uses zod the way our functions do.
 */
import { buildSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { forbiddenIn } from '../../harness/bundle-contents';
import { lambdaBundleOptions } from '../helpers/bundle';

/** `source` bundled as Lambda bundles are (CommonJS for Node, not minified). */
function bundle(source: string): string {
  const result = buildSync({ ...lambdaBundleOptions(source), write: false });
  return result.outputFiles[0]?.text ?? '';
}

describe('forbiddenIn', () => {
  it('finds nothing in a bundle using zod/mini, zod core by name and the English messages', () => {
    const code = bundle(`
      import * as z from 'zod/mini';
      import { safeParse } from 'zod/v4/core';
      import en from 'zod/v4/locales/en.js';
      z.config(en());
      export const check = (v: unknown) => safeParse(z.strictObject({ a: z.string() }), v);
    `);
    expect(code).toContain('ZodMiniString');
    expect(forbiddenIn(code)).toEqual([]);
  });

  it('finds classic zod', () => {
    const code = bundle(`import * as z from 'zod'; export const s = z.string();`);
    expect(forbiddenIn(code)).toEqual(['classic zod']);
  });

  it("finds zod's messages in every language when zod/mini's z.core is used as a value", () => {
    const code = bundle(`import * as z from 'zod/mini'; export const core = z.core;`);
    expect(forbiddenIn(code)).toEqual([
      "zod's messages in every language (z.core used as a value?)",
    ]);
  });
});
