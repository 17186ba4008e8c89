/**
 * The profile's bookkeeping: which module a bundle line belongs to, and which module each tick of
 * a (hand-made) V8 CPU profile is charged to.
 */
import { describe, expect, it } from 'vitest';
import { chargeTicks, moduleGroup, moduleMarks } from './profile';

const BUNDLE = [
  '"use strict";', // 1: esbuild's helpers
  '// node_modules/zod/v4/core/core.js', // 2
  'function $constructor() {}', // 3
  '// lib/config.ts', // 4
  'var env = parse();', // 5
  '// functions/service/not-found.ts', // 6
  'var handler = () => {};', // 7
].join('\n');

describe('moduleMarks and moduleGroup', () => {
  it("names packages by package and the project's files by path", () => {
    expect(moduleGroup('node_modules/@middy/core/index.js')).toBe('@middy/core');
    expect(moduleGroup('node_modules/zod/v4/core/core.js')).toBe('zod');
    expect(moduleGroup('lib/config.ts')).toBe('lib/config.ts');
    expect(moduleMarks(BUNDLE)).toEqual([
      [1, 'zod'],
      [3, 'lib/config.ts'],
      [5, 'functions/service/not-found.ts'],
    ]);
  });
});

describe('chargeTicks', () => {
  const url = 'file:///bundle.js';
  const frame = (id: number, at: string, lineNumber: number, children: number[] = []) => ({
    id,
    callFrame: { url: at, lineNumber },
    children,
  });

  it("charges bundle ticks by line, built-ins to one row, and leaves Node's own start out", () => {
    const profile = {
      nodes: [
        frame(1, '', 0, [2, 6]), // (root)
        // The bundle's top-level function: its ticks fall on zod's line 3 and config's line 5.
        {
          ...frame(2, url, 0, [3, 4]),
          positionTicks: [
            { line: 3, ticks: 1 },
            { line: 5, ticks: 3 },
          ],
        },
        frame(3, url, 2, []), // $constructor (0-based line 2), called from the top level
        frame(4, 'node:crypto', 0, [5]), // a built-in the bundle required
        frame(5, 'node:internal/crypto/hash', 10, []),
        frame(6, 'node:internal/main/run_main_module', 0, []), // Node's own start
      ],
      samples: [2, 3, 5, 6, 2],
      timeDeltas: [1000, 2000, 4000, 8000, 1000],
    };
    const costs = chargeTicks(profile, url, moduleMarks(BUNDLE));
    expect(Object.fromEntries(costs)).toEqual({
      zod: 0.5 + 2,
      'lib/config.ts': 1.5,
      'Node built-ins and natives it called': 4,
    });
  });
});
