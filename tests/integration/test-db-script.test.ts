/** npm run test-db: its exit code is what CI and operators rely on, so both outcomes are tested. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../scripts/stack/paths';

function runTestDb(extraEnv: Record<string, string>) {
  const result = spawnSync(
    join(projectRoot, 'node_modules', '.bin', 'tsx'),
    [join(projectRoot, 'scripts', 'test-db.ts')],
    { cwd: projectRoot, env: { ...process.env, ...extraEnv }, encoding: 'utf8', timeout: 120_000 },
  );
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('npm run test-db', () => {
  it('exits 0 after a write and read-back in every configured store', () => {
    const { code, output } = runTestDb({});
    expect(output).toMatch(/^mongo\s+ok\s/m);
    expect(output).toMatch(/^dynamodb\s+ok\s/m);
    expect(output).toMatch(/^cassandra\s+(ok\s|not configured)/m);
    expect(code).toBe(0);
  });

  it('exits 1 and names the store when one cannot be reached', () => {
    const { code, output } = runTestDb({ DYNAMODB_ENDPOINT: 'http://127.0.0.1:1' });
    expect(output).toMatch(/^dynamodb\s+FAILED\s+dynamodb is unavailable/m);
    expect(output).toMatch(/^mongo\s+ok\s/m);
    expect(code).toBe(1);
  });
});
