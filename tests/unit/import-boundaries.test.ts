/**
 * The proof harness stays apart from the benchmarks and the tests: tests/, bench/ and verify/ share
 * code only through harness/, and harness/ imports none of them. So a test never runs a verify
 * item's code by accident, a benchmark never leans on a test helper, and harness/ can be read on
 * its own. Every import of the four folders is read from the source and its target folder checked.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../scripts/stack/paths';

const FOLDERS = ['tests', 'bench', 'verify', 'harness'] as const;
type Folder = (typeof FOLDERS)[number];

/** For each folder, the folders of ours it must never import. */
const FORBIDDEN: Record<Folder, Folder[]> = {
  tests: ['bench', 'verify'],
  bench: ['tests', 'verify'],
  verify: ['tests', 'bench'],
  harness: ['tests', 'bench', 'verify'],
};

/** Module specifiers of a source text: import/export … from, side-effect imports, import(), require(). */
function importSpecifiers(text: string): string[] {
  const pattern =
    /\b(?:import|export)\s[^;'"]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(?\s*['"]([^'"]+)['"]|\brequire\s*\(\s*['"]([^'"]+)['"]/g;
  return [...text.matchAll(pattern)].map((m) => (m[1] ?? m[2] ?? m[3]) as string);
}

/** The top-level folder of the repository a relative specifier of `file` points into. */
function targetFolder(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined; // a package, not ours
  const target = relative(projectRoot, resolve(dirname(join(projectRoot, file)), specifier));
  return target.split(sep)[0];
}

interface Arrow {
  file: string;
  specifier: string;
}

/** The imports among `files` (paths relative to the repository) that cross a forbidden boundary. */
function forbiddenArrows(files: { file: string; text: string }[]): Arrow[] {
  return files.flatMap(({ file, text }) => {
    const from = file.split('/')[0] as Folder;
    return importSpecifiers(text)
      .filter((specifier) => FORBIDDEN[from]?.includes(targetFolder(file, specifier) as Folder))
      .map((specifier) => ({ file, specifier }));
  });
}

/** Every TypeScript source under `folder`, with its text. */
function sources(folder: string): { file: string; text: string }[] {
  return readdirSync(join(projectRoot, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.m?ts$/.test(entry.name))
    .map((entry) => {
      const file = relative(projectRoot, join(entry.parentPath, entry.name)).split(sep).join('/');
      return { file, text: readFileSync(join(projectRoot, file), 'utf8') };
    });
}

describe('import boundaries between tests/, bench/, verify/ and harness/', () => {
  const files = FOLDERS.flatMap(sources);

  it('reads the imports of every folder', () => {
    for (const folder of FOLDERS) {
      const imports = files
        .filter(({ file }) => file.startsWith(`${folder}/`))
        .flatMap(({ text }) => importSpecifiers(text));
      expect(imports.length, folder).toBeGreaterThan(0);
    }
    // And resolves them: the tests reach harness/ (the e2e HTTP client, the Lambda events).
    const intoHarness = files.filter(
      ({ file, text }) =>
        file.startsWith('tests/') &&
        importSpecifiers(text).some((s) => targetFolder(file, s) === 'harness'),
    );
    expect(intoHarness.length).toBeGreaterThan(0);
  });

  it('finds each kind of forbidden arrow', () => {
    // Statements built from their parts, so that this file's own source holds none of them.
    const statement = {
      named: (to: string) => `import { a } from '${to}';`,
      type: (to: string) => `import type { A } from '${to}';`,
      reexport: (to: string) => `export { b } from '${to}';`,
      multiline: (to: string) => `import {\n  c,\n  d,\n} from '${to}';`,
      sideEffect: (to: string) => `import '${to}';`,
      dynamic: (to: string) => `await import('${to}');`,
      require: (to: string) => `const e = require('${to}');`,
    };
    const cases: [file: string, text: string, forbidden: boolean][] = [
      ['tests/unit/x.test.ts', statement.named('../../bench/message-store'), true],
      ['tests/e2e/x.test.ts', statement.reexport('../../verify/report'), true],
      ['verify/load/x.ts', statement.type('../../tests/helpers/lambda'), true],
      ['bench/x.ts', statement.require('../tests/helpers/storage'), true],
      ['bench/y.ts', statement.multiline('../verify/report'), true],
      ['verify/x.ts', statement.sideEffect('../bench/analytics-data'), true],
      ['harness/x.ts', statement.dynamic('../verify/report'), true],
      ['harness/y.ts', statement.named('../tests/helpers/actors'), true],
      // Allowed: through harness/, within a folder, to the project's code, to packages.
      ['tests/e2e/y.test.ts', statement.named('../../harness/http-client'), false],
      ['bench/z.ts', statement.named('../harness/latency'), false],
      ['verify/y.ts', statement.named('./report'), false],
      ['verify/z.ts', statement.sideEffect('ws'), false],
      ['harness/z.ts', statement.named('../lib/analytics/formulas'), false],
    ];
    const arrows = forbiddenArrows(cases.map(([file, text]) => ({ file, text })));
    expect(arrows.map((arrow) => arrow.file)).toEqual(
      cases.filter(([, , forbidden]) => forbidden).map(([file]) => file),
    );
  });

  it('has no import from tests/ into bench/ or verify/, or back, and harness/ imports none', () => {
    expect(forbiddenArrows(files)).toEqual([]);
  });
});
