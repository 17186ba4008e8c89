/**
 * `serverless package` for the verification scripts: every function bundled and zipped into
 * .serverless/, as a deploy would upload them. Placeholder connection settings: packaging resolves
 * every ${env:...} of serverless.yml but connects to nothing, and the zips hold no configuration.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SERVERLESS_CLI_ENV } from '../scripts/cli-env';
import { projectRoot } from '../scripts/stack/paths';

export const packageDir = join(projectRoot, '.serverless');
export const templatePath = join(packageDir, 'cloudformation-template-update-stack.json');

/** Packages every function; returns the seconds it took. */
export function packageFunctions(): number {
  const started = performance.now();
  const result = spawnSync(
    join(projectRoot, 'node_modules', '.bin', 'serverless'),
    ['package', '--stage', 'verify'],
    {
      cwd: projectRoot,
      encoding: 'utf8',
      env: {
        ...process.env,
        ...SERVERLESS_CLI_ENV,
        MONGODB_URL: 'mongodb://db.invalid:27017/plp',
        AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
      },
    },
  );
  if (result.status !== 0) {
    throw new Error(`serverless package failed:\n${result.stdout}\n${result.stderr}`);
  }
  return (performance.now() - started) / 1000;
}

/** The function names that have a zip in .serverless/. */
export function packagedFunctions(): string[] {
  return readdirSync(packageDir)
    .filter((f) => f.endsWith('.zip'))
    .map((f) => f.replace(/\.zip$/, ''))
    .sort();
}

export function zipKb(name: string): number {
  return Math.round(statSync(join(packageDir, `${name}.zip`)).size / 1024);
}

/** The JavaScript in a function's zip (its bundle), read with Python's zipfile: no unzip needed. */
export function bundleCode(name: string): string {
  const result = spawnSync(
    'python3',
    [
      '-c',
      'import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1]) as z:\n  for n in z.namelist():\n    if n.endswith(".js"): sys.stdout.write(z.read(n).decode())',
      join(packageDir, `${name}.zip`),
    ],
    { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
  );
  if (result.status !== 0) throw new Error(`reading ${name}.zip: ${result.stderr}`);
  return result.stdout;
}
