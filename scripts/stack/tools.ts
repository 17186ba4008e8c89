/** Checks for the host tools an engine install needs, with one clear line on how to get them. */
import { spawn, spawnSync } from 'node:child_process';

/** Thrown when a tool is missing; the message is one line that says how to fix it. */
export class MissingToolError extends Error {
  override readonly name = 'MissingToolError';
}

/** Runs `command --version`-like probes; returns their stdout+stderr, or undefined when absent. */
export function toolOutput(command: string, args: string[]): string | undefined {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error || result.status !== 0) return undefined;
  return `${result.stdout}${result.stderr}`;
}

/** Throws MissingToolError with `fix` when `command` is not on PATH. */
export function requireTool(command: string, versionArgs: string[], fix: string): string {
  const output = toolOutput(command, versionArgs);
  if (output === undefined) throw new MissingToolError(`'${command}' not found: ${fix}`);
  return output;
}

/** Runs a command to completion (asynchronously, so installs can overlap); throws with its output tail on failure. */
export function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) return resolve();
      const tail = output.trim().split('\n').slice(-15).join('\n');
      reject(new Error(`${command} ${args.join(' ')} failed (exit ${code}):\n${tail}`));
    });
  });
}
