/**
 * Python command-line tools the verification scripts use (cfn-lint, schemathesis), installed from
 * PyPI at pinned versions into the git-ignored .local/venv on first use, so every machine (a
 * developer's, CI's) gets the same tool with no install step of its own.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { localDir, projectRoot } from '../scripts/stack/paths';

export const venv = join(localDir, 'venv');

/** Runs a command in the project root; throws only when it could not start at all. */
export function runTool(command: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  const result = spawnSync(command, args, {
    cwd: projectRoot,
    env,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  return result;
}

function mustRun(command: string, args: string[]): string {
  const result = runTool(command, args);
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed:\n${result.stderr}`);
  return result.stdout;
}

/** Whether the venv's pip exists and starts. */
function pipRuns(venvDir: string): boolean {
  const pip = join(venvDir, 'bin', 'pip');
  return existsSync(pip) && spawnSync(pip, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** The version pip has installed of `name` in the venv, if any. */
function installedVersion(name: string, venvDir: string): string | undefined {
  if (!pipRuns(venvDir)) return undefined;
  const shown = runTool(join(venvDir, 'bin', 'pip'), ['show', name]);
  return shown.status === 0 ? /^Version: (.+)$/m.exec(shown.stdout)?.[1]?.trim() : undefined;
}

/**
 * Installs `pin` ("name==version") into .local/venv unless that very version is there, and returns
 * the path of its command `bin` (the package name unless given). `venvDir` gives a tool a venv of
 * its own, where its dependencies' pins could clash with another tool's.
 */
export function ensurePythonTool(
  pin: `${string}==${string}`,
  bin?: string,
  venvDir: string = venv,
): string {
  const [name, version] = pin.split('==') as [string, string];
  const command = join(venvDir, 'bin', bin ?? name);
  if (installedVersion(name, venvDir) !== version || !existsSync(command)) {
    console.log(`installing ${pin} into ${venvDir}`);
    // --clear: a venv made at another path (a moved checkout, a git worktree) has scripts whose
    // interpreter line names that path, and cannot run here; it is rebuilt.
    if (!pipRuns(venvDir)) mustRun('python3', ['-m', 'venv', '--clear', venvDir]);
    mustRun(join(venvDir, 'bin', 'pip'), ['install', '--quiet', pin]);
  }
  return command;
}

/**
 * runTool without blocking this process: for tools that talk to a server this process started
 * (serverless-offline's output is a pipe into this process; unread, it fills and stalls the server).
 */
export function runToolAsync(
  command: string,
  args: string[],
  cwd = projectRoot,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: string[] = [];
    const stderr: string[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    child.once('error', reject);
    child.once('close', (status) =>
      resolve({ status, stdout: stdout.join(''), stderr: stderr.join('') }),
    );
  });
}
