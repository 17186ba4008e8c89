/**
 * What Linux's /proc says about a process group (serverless-offline and its children): its
 * threads, its open TCP connections by remote port, its resident memory, its main thread's CPU
 * time; and about this machine. Read between samples, a process or descriptor may have ended:
 * that reads as absent, never as an error.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { cpus } from 'node:os';

/** A process or file descriptor that ended between listing and reading it. */
const isGone = (error: unknown) =>
  ['ENOENT', 'ESRCH'].includes((error as NodeJS.ErrnoException).code ?? '');

/** A /proc file's text, or undefined when its process ended meanwhile. */
export function readProcFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (isGone(error)) return undefined;
    throw error;
  }
}

/** Pids of the processes in process group `pgid` (serverless-offline and its children). */
export function groupPids(pgid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcFile(`/proc/${entry}/stat`);
    // Fields after the command name (which may hold spaces): state ppid pgrp ...
    const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields && Number(fields[2]) === pgid) pids.push(Number(entry));
  }
  return pids;
}

/** The inodes of the sockets process `pid` holds open. */
export function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch (error) {
    if (isGone(error)) return inodes;
    throw error;
  }
  for (const fd of fds) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch (error) {
      if (isGone(error)) continue;
      throw error;
    }
    const match = /^socket:\[(\d+)\]$/.exec(target);
    if (match) inodes.add(match[1] as string);
  }
  return inodes;
}

const TCP_LISTEN = '0A';

/** Open TCP connections owned by `inodes`, counted by remote port. */
export function connectionsByRemotePort(inodes: Set<string>): Map<number, number> {
  const counts = new Map<number, number>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const lines = (readProcFile(file) ?? '').trim().split('\n').slice(1);
    for (const line of lines) {
      const f = line.trim().split(/\s+/);
      const [remote, state, inode] = [f[2] ?? '', f[3], f[9] ?? ''];
      if (state === TCP_LISTEN || !inodes.has(inode)) continue;
      const port = Number.parseInt(remote.slice(remote.lastIndexOf(':') + 1), 16);
      counts.set(port, (counts.get(port) ?? 0) + 1);
    }
  }
  return counts;
}

/** A numeric field of /proc/<pid>/status ("VmRSS:   1234 kB" → 1234), 0 when absent. */
export const statusField = (status: string | undefined, field: string) =>
  Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status ?? '')?.[1] ?? 0);

export interface GroupSample {
  /** Open TCP connections of the group to each named port. */
  connections: Record<string, number>;
  /** All processes of the group. */
  rssMb: number;
  /** The group leader alone (serverless-offline: its workers are threads of it; esbuild is not). */
  leaderRssMb: number;
}

/** One look at process group `pgid`: its connections to each of `ports`, and its RSS. */
export function sampleGroup(pgid: number, ports: Record<string, number>): GroupSample {
  const inodes = new Set<string>();
  let rssKb = 0;
  let leaderRssKb = 0;
  for (const pid of groupPids(pgid)) {
    for (const inode of socketInodes(pid)) inodes.add(inode);
    const kb = statusField(readProcFile(`/proc/${pid}/status`), 'VmRSS');
    rssKb += kb;
    if (pid === pgid) leaderRssKb = kb;
  }
  const byPort = connectionsByRemotePort(inodes);
  const connections = Object.fromEntries(
    Object.entries(ports).map(([name, port]) => [name, byPort.get(port) ?? 0]),
  );
  return { connections, rssMb: rssKb / 1024, leaderRssMb: leaderRssKb / 1024 };
}

let clockTicks: number | undefined;
/** The kernel's clock ticks per second, the unit of /proc's CPU times (asked once). */
const clockTicksPerSecond = () => {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
  return clockTicks;
};

/**
 * CPU seconds used so far by the main thread of process `pid`: serverless-offline's main thread
 * routes every request to and from the workers, so it is the emulator's one serial resource.
 */
export function mainThreadCpuSeconds(pid: number): number {
  const stat = readProcFile(`/proc/${pid}/task/${pid}/stat`) ?? '';
  // After the command name: state is field 3, utime and stime fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond();
}

/** Runs `work` and returns its result with the share of one core pid's main thread used meanwhile. */
export async function withMainThreadCpu<T>(
  pid: number,
  work: () => Promise<T>,
): Promise<{ result: T; mainThreadCpu: number }> {
  const [cpu0, t0] = [mainThreadCpuSeconds(pid), performance.now()];
  const result = await work();
  const used = mainThreadCpuSeconds(pid) - cpu0;
  return { result, mainThreadCpu: used / ((performance.now() - t0) / 1_000) };
}

/**
 * The threads of process `pid`, as ids. `count()`: how many there are now, less `baseline`;
 * `startedSince(snapshot)`: threads begun after a `snapshot()`, which a thread ended and replaced
 * in between cannot hide from.
 */
export function threadCounter(pid: number, baseline: number) {
  const snapshot = () => new Set(readdirSync(`/proc/${pid}/task`));
  return {
    snapshot,
    count: () => snapshot().size - baseline,
    startedSince: (before: Set<string>) => [...snapshot()].filter((id) => !before.has(id)).length,
  };
}

/** The number of threads process `pid` has now. */
export const threadCount = (pid: number) => readdirSync(`/proc/${pid}/task`).length;

/** This machine, for a report: CPU model, cores, Node version. */
export function machine(): string {
  const model = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1];
  return `${model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.versions.node}`;
}

/** This process's limit of open files (sockets count), Infinity when /proc does not say. */
export function openFilesLimit(): number {
  const match = /Max open files\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'));
  return match ? Number(match[1]) : Number.POSITIVE_INFINITY;
}
