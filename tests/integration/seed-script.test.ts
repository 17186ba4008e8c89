/**
 * npm run seed: loads the demo school once, and is a no-op the second time; prints the demo
 * accounts either way.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../scripts/stack/paths';

const runSeed = () =>
  spawnSync(
    join(projectRoot, 'node_modules', '.bin', 'tsx'),
    [join(projectRoot, 'scripts', 'seed.ts')],
    {
      cwd: projectRoot,
      env: { ...process.env, PASSWORD_HASH_LOG_N: '10' },
      encoding: 'utf8',
      timeout: 180_000,
    },
  );

describe('npm run seed', () => {
  it('creates the demo school, then finds it there on a second run', { timeout: 240_000 }, () => {
    const first = runSeed();
    expect(first.stderr).not.toMatch(/seed failed/);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(
      /seed: (workspace \d+, channels \d+ \(general, 300 messages\)|the demo school is already there)/,
    );
    const second = runSeed();
    expect(second.status).toBe(0);
    expect(second.stdout).toMatch(/the demo school is already there/);
    // Every account, each with its role and the password, on both runs.
    for (const run of [first, second]) {
      expect(run.stdout).toMatch(/^ {2}ms\.rivera +teacher +demo-password$/m);
      for (const student of ['amir', 'bea', 'chen', 'dara']) {
        expect(run.stdout).toMatch(new RegExp(`^ {2}${student} +student +demo-password$`, 'm'));
      }
    }
  });
});
