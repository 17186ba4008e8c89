/**
 * openapi.json as tools we did not write read it: openapi-spec-validator (PyPI, the OpenAPI 3.1
 * schema and its semantic checks) and Redocly CLI's `recommended` rule set (npm, redocly.yaml).
 * Both are pinned; both must report zero errors, and Redocly zero warnings beyond the ones
 * .redocly.lint-ignore.yaml keeps with their reasons. Each is also shown a broken copy, so a
 * validator that silently checks nothing cannot pass.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensurePythonTool, runTool } from '../../harness/python-tool';
import { localDir, projectRoot } from '../../scripts/stack/paths';

const OPENAPI_SPEC_VALIDATOR = 'openapi-spec-validator==0.9.0';
const document = join(projectRoot, 'openapi.json');

/** A copy of openapi.json whose DELETE of the pin route repeats POST's operationId. */
function withRepeatedOperationId(): string {
  const copy = JSON.parse(readFileSync(document, 'utf8')) as {
    paths: Record<string, Record<string, { operationId: string }>>;
  };
  const pin = copy.paths['/api/channels/{id}/pin/{messageId}'];
  if (!pin?.post || !pin.delete) throw new Error('openapi.json has no pin route to break');
  pin.delete.operationId = pin.post.operationId;
  const file = join(mkdtempSync(join(tmpdir(), 'openapi-')), 'broken.json');
  writeFileSync(file, JSON.stringify(copy));
  return file;
}

describe('openapi-spec-validator', () => {
  let validator: string;
  beforeAll(() => {
    // Its own venv: its jsonschema pins must not move the ones schemathesis needs.
    validator = ensurePythonTool(
      OPENAPI_SPEC_VALIDATOR,
      undefined,
      join(localDir, 'venv-openapi-spec-validator'),
    );
  }, 300_000);

  const validate = (file: string) =>
    runTool(validator, ['--schema', '3.1', '--validation-errors', 'all', file]);

  it('accepts openapi.json as OpenAPI 3.1', () => {
    const result = validate(document);
    expect(result.stderr + result.stdout).toBe(`${document}: OK\n`);
    expect(result.status).toBe(0);
  }, 60_000);

  it('rejects a document whose operation ids repeat', () => {
    const result = validate(withRepeatedOperationId());
    expect(result.status).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/Operation ID 'pin-message' .* is not unique/);
  }, 60_000);
});

describe('Redocly CLI, recommended rules', () => {
  interface LintReport {
    totals: { errors: number; warnings: number; ignored: number };
    problems: { ruleId: string; severity: string; message: string }[];
  }
  const lint = (file: string): LintReport => {
    const result = runTool(
      join(projectRoot, 'node_modules', '.bin', 'redocly'),
      ['lint', file, '--config', join(projectRoot, 'redocly.yaml'), '--format', 'json'],
      // No telemetry, no update check: the lint runs offline.
      { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    );
    if (!result.stdout.trim().startsWith('{')) throw new Error(`redocly: ${result.stderr}`);
    return JSON.parse(result.stdout) as LintReport;
  };

  it('finds no error and no warning beyond the kept ones', () => {
    const report = lint('openapi.json');
    expect(report.problems).toEqual([]);
    expect(report.totals.errors).toBe(0);
    expect(report.totals.warnings).toBe(0);
    // Each kept warning is listed once (with its reason) and still happens: a fixed one is unlisted.
    const kept = load(readFileSync(join(projectRoot, '.redocly.lint-ignore.yaml'), 'utf8')) as {
      'openapi.json': Record<string, string[]>;
    };
    expect(report.totals.ignored).toBe(Object.values(kept['openapi.json']).flat().length);
  }, 60_000);

  it('reports a repeated operation id as an error', () => {
    const report = lint(withRepeatedOperationId());
    expect(report.problems.map((p) => [p.ruleId, p.severity])).toContainEqual([
      'operation-operationId-unique',
      'error',
    ]);
  }, 60_000);
});
