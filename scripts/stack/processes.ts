/** Starting, finding and stopping the engine processes the stack owns (tracked by pid files). */
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { logFile, paths, pidFile } from './paths';

/** True when a process with this pid exists (signal 0 checks without signalling). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else; ESRCH: no such process.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid recorded for `engine` if that process is still alive; removes a stale pid file. */
export function runningPid(engine: string): number | undefined {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(pidFile(engine), 'utf8'), 10);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) return pid;
  rmSync(pidFile(engine), { force: true });
  return undefined;
}

/** Starts `command` detached from this process (it outlives `npm run stack`), logging to .local/logs. */
export function startDetached(
  engine: string,
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): number {
  mkdirSync(paths.logs, { recursive: true });
  mkdirSync(paths.run, { recursive: true });
  const log = openSync(logFile(engine), 'a');
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ['ignore', log, log],
  });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  child.unref();
  writeFileSync(pidFile(engine), String(child.pid));
  return child.pid;
}

/** Sends SIGTERM, waits up to `graceMs` for exit, then SIGKILL. Removes the pid file. */
export async function stopProcess(engine: string, graceMs = 30_000): Promise<boolean> {
  const pid = runningPid(engine);
  if (pid === undefined) return false;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(200);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  while (isAlive(pid)) await sleep(50);
  rmSync(pidFile(engine), { force: true });
  return true;
}

/** True when something accepts TCP connections on host:port. */
export function portOpen(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Polls `ready` until it resolves true, the process dies, or `timeoutMs` passes. */
export async function waitUntil(
  what: string,
  ready: () => Promise<boolean>,
  { timeoutMs, pid, log }: { timeoutMs: number; pid?: number; log?: string },
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await ready()) return;
    if (pid !== undefined && !isAlive(pid)) {
      throw new Error(`${what} exited during start-up${log ? `; see ${log}` : ''}`);
    }
    await sleep(250);
  }
  throw new Error(`${what} not ready after ${timeoutMs / 1000} s${log ? `; see ${log}` : ''}`);
}
