/**
 * Every markdown file the repository's text names exists. Docs move (README sections became
 * docs/*.md), and a comment that still says "see the README's X" or a link to a moved file sends a
 * newcomer nowhere; this finds them all at once, in prose, links and code comments alike.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../scripts/stack/paths';

/** Text we write; generated documents and the lockfile are left out (nobody edits them). */
const SCANNED = /\.(md|ts|mts|cts|js|mjs|cjs|yml|yaml|json)$/;
const SCANNED_NAMES = new Set(['.ci/run', '.env.example']);
const GENERATED = new Set([
  'package-lock.json',
  'openapi.json',
  'asyncapi.json',
  'client/schema.d.ts',
]);

/** Tracked files, and new ones not yet added (so a doc being written counts), as they are on disk. */
function repositoryFiles(): string[] {
  const listed = execFileSync(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    {
      cwd: projectRoot,
      encoding: 'utf8',
    },
  );
  return [...new Set(listed.split('\0'))].filter(
    (path) =>
      path !== '' &&
      !path.split('/').includes('node_modules') &&
      existsSync(join(projectRoot, path)) &&
      statSync(join(projectRoot, path)).isFile(),
  );
}

interface Reference {
  /** As written, without any #fragment. */
  target: string;
  /** A markdown link resolves from the referring file's folder only; a bare name also from the root. */
  kind: 'link' | 'bare';
  line: number;
}

const URL = /\b[a-z][a-z0-9+.-]*:\/\/[^\s)>\]"'`]*/gi;
const LINK = /\]\(\s*<?([^)\s#>]+\.md)(?:#[^)\s>]*)?>?(?:\s+"[^"]*")?\s*\)/g;
const BARE = /(?<![\w./-])((?:\.{1,2}\/)*[\w-][\w./-]*\.md)(?![\w-])/g;

/** The markdown files a text names: links `](path)` and bare `folder/name` tokens ending in .md. */
function markdownReferences(text: string): Reference[] {
  const found: Reference[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(URL, ' ');
    const linked = new Set<string>();
    for (const match of line.matchAll(LINK)) {
      const target = match[1] as string;
      linked.add(target);
      found.push({ target, kind: 'link', line: index + 1 });
    }
    for (const match of line.matchAll(BARE)) {
      const target = match[1] as string;
      if (!linked.has(target)) found.push({ target, kind: 'bare', line: index + 1 });
    }
  });
  return found;
}

/** Whether `reference`, written in file `from`, names one of `files`. */
function resolves(reference: Reference, from: string, files: ReadonlySet<string>): boolean {
  const candidates = reference.target.startsWith('/')
    ? [reference.target.slice(1)]
    : [posix.join(dirname(from), reference.target)];
  if (reference.kind === 'bare') candidates.push(posix.normalize(reference.target));
  return candidates.some((candidate) => files.has(candidate));
}

describe('markdownReferences', () => {
  const md = (name: string) => `${name}.md`;

  it('finds links, bare paths and bare names, and skips URLs and glob patterns', () => {
    const text = [
      `See [the API](docs/${md('api')}#errors) and ${md('docs/architecture')}.`,
      `// figures: ${md('RESULTS')}, not https://example.com/${md('elsewhere')}`,
      `"includes": ["!**/*.md"] and ${md('../CONTRIBUTING')}'s steps`,
    ].join('\n');
    expect(markdownReferences(text)).toEqual([
      { target: `docs/${md('api')}`, kind: 'link', line: 1 },
      { target: md('docs/architecture'), kind: 'bare', line: 1 },
      { target: md('RESULTS'), kind: 'bare', line: 2 },
      { target: md('../CONTRIBUTING'), kind: 'bare', line: 3 },
    ]);
  });

  it('resolves links from the referring folder, bare names from there or from the root', () => {
    const files = new Set([md('README'), md('docs/api'), md('bench/RESULTS')]);
    const link = (target: string): Reference => ({ target, kind: 'link', line: 1 });
    const bare = (target: string): Reference => ({ target, kind: 'bare', line: 1 });
    expect(resolves(link(md('api')), md('docs/verification'), files)).toBe(true);
    expect(resolves(link(md('../README')), md('docs/api'), files)).toBe(true);
    expect(resolves(link(md('docs/api')), md('docs/verification'), files)).toBe(false);
    expect(resolves(bare(md('bench/RESULTS')), 'lib/db/dynamo.ts', files)).toBe(true);
    expect(resolves(bare(md('RESULTS')), 'bench/load.ts', files)).toBe(true);
    expect(resolves(bare(md('RESULTS')), 'lib/db/dynamo.ts', files)).toBe(false);
    expect(resolves(bare(md('design')), md('README'), files)).toBe(false);
  });
});

describe('the repository', () => {
  it('names only markdown files that exist', () => {
    const files = repositoryFiles();
    const existing = new Set(files);
    const scanned = files.filter(
      (path) => (SCANNED.test(path) || SCANNED_NAMES.has(path)) && !GENERATED.has(path),
    );
    expect(scanned).toContain('README.md');
    const dangling: string[] = [];
    for (const path of scanned) {
      const text = readFileSync(join(projectRoot, path), 'utf8');
      for (const reference of markdownReferences(text))
        if (!resolves(reference, path, existing))
          dangling.push(`${path}:${reference.line}: ${reference.target}`);
    }
    expect(dangling).toEqual([]);
  });
});
