/**
 * The committed client (client/schema.d.ts) is what openapi-typescript generates from the committed
 * openapi.json (itself held fresh by openapi.test.ts): a contract change that is not regenerated
 * into the client fails here (run `npm run client`).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTool } from '../../harness/python-tool';
import { projectRoot } from '../../scripts/stack/paths';

const clientDir = join(projectRoot, 'client');

describe('client/schema.d.ts', () => {
  it('is what openapi-typescript generates from openapi.json (`npm run client` when it fails)', () => {
    // The generator is client/'s own dependency (it needs TypeScript 5's compiler API).
    const manifest = createRequire(join(clientDir, 'package.json')).resolve(
      'openapi-typescript/package.json',
    );
    const cli = join(dirname(manifest), 'bin', 'cli.js');
    const output = join(mkdtempSync(join(tmpdir(), 'client-')), 'schema.d.ts');
    const result = runTool(process.execPath, [
      cli,
      join(projectRoot, 'openapi.json'),
      '--output',
      output,
    ]);
    expect(result.status, result.stderr).toBe(0);
    expect(readFileSync(join(clientDir, 'schema.d.ts'), 'utf8')).toBe(readFileSync(output, 'utf8'));
  }, 60_000);
});
