/**
 * serverless-offline as a child process on free ports, wired to the local stack: used by the e2e
 * test setup and by the verification items under verify/. Its own process group, so stopping it
 * stops its Lambda workers too.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { SERVERLESS_CLI_ENV } from './cli-env';
import { projectRoot } from './stack/paths';

export interface OfflineServer {
  /** http://127.0.0.1:<port>: the HTTP API. */
  url: string;
  /** The Lambda Invoke API (scheduled functions are invoked through it). */
  lambdaUrl: string;
  /** ws://127.0.0.1:<port>: the WebSocket API (its Management API answers on the same port). */
  webSocketUrl: string;
  /** The serverless-offline process (its pid leads the process group). */
  child: ChildProcess;
  /** The last lines it printed, for error messages. */
  output(): string;
  /** performance.now() when it was started: the offsets in OfflineOptions.logFile count from it. */
  startedAt: number;
  /** The folder its function bundles are built in and served from: its own, never shared. */
  buildDir: string;
  stop(): Promise<void>;
}

/**
 * Settings for a server that tests or benchmarks drive: many sign-ups and sign-ins, all from
 * 127.0.0.1. Cheap password hashes (the cost is stored per hash, so they stay verifiable) and no
 * per-address login limit (that limit is tested in-process); the per-username limit stays on.
 */
export function drivenServerSettings(teacherSignupCode?: string): Record<string, string> {
  return {
    PASSWORD_HASH_LOG_N: '10',
    LOGIN_MAX_FAILURES_PER_IP: '10000',
    ...(teacherSignupCode ? { TEACHER_SIGNUP_CODE: teacherSignupCode } : {}),
  };
}

/**
 * NODE_OPTIONS for a serverless-offline process: `current` (the caller's own, if any) and the
 * preload that keeps a failed asynchronous invocation from ending the emulator
 * (scripts/offline-async-invocations.cjs says why).
 */
export function offlineNodeOptions(current = process.env.NODE_OPTIONS): string {
  const preload = join(projectRoot, 'scripts', 'offline-async-invocations.cjs');
  return [current, `--require ${JSON.stringify(preload)}`].filter(Boolean).join(' ');
}

/** The teacher signup code of `npm run dev` when TEACHER_SIGNUP_CODE is unset (documented). */
export const LOCAL_DEV_TEACHER_CODE = 'local-dev-teacher';

/**
 * What `npm run dev` adds to the environment of its local server: the development teacher code
 * when `userEnv` (the shell and .env) sets none, so a first run can register a teacher. Only that
 * server gets it: deploys, and the servers tests and benchmarks drive, take TEACHER_SIGNUP_CODE as
 * it is (unset or blank: nobody can register as a teacher), and lib/ never defaults it.
 */
export function localDevServerSettings(userEnv: NodeJS.ProcessEnv): {
  TEACHER_SIGNUP_CODE: string;
} {
  return { TEACHER_SIGNUP_CODE: userEnv.TEACHER_SIGNUP_CODE?.trim() || LOCAL_DEV_TEACHER_CODE };
}

/** The startup banner's line about the teacher code (a code the user chose is not echoed). */
export function teacherCodeBanner(userEnv: NodeJS.ProcessEnv): string {
  return userEnv.TEACHER_SIGNUP_CODE?.trim()
    ? 'teacher signup code: the one TEACHER_SIGNUP_CODE sets'
    : `teacher signup code: ${LOCAL_DEV_TEACHER_CODE} (the local development default; set TEACHER_SIGNUP_CODE for another)`;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`serverless-offline exited with ${child.exitCode}`);
    try {
      const response = await fetch(url);
      if (response.status === 200) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`serverless-offline not ready at ${url} after ${timeoutMs} ms (last: ${last})`);
}

export interface OfflineOptions {
  /**
   * How long an idle Lambda worker lives (serverless-offline's terminateIdleLambdaTime, default
   * 60 s). Its pool hands requests to the oldest idle worker first, so under steady load the
   * newest workers idle, are ended at its next sweep, and the next burst cold-starts them again;
   * Lambda keeps idle instances for minutes. Benchmarks that time warm requests set it longer.
   */
  idleWorkerSeconds?: number;
  /**
   * A file that gets its output too, as it arrives, each chunk stamped "[+12.3 s]" (seconds since
   * the start): for reading after a run which request failed and why.
   */
  logFile?: string;
  /** How long to wait for /api/health (default 90 s); a run beside busy JVMs builds slower. */
  readyTimeoutMs?: number;
}

/**
 * Starts serverless-offline with `env` (the stack's connection variables and any settings) on top
 * of this process's environment, and waits until /api/health answers 200.
 */
export async function startOffline(
  env: Record<string, string>,
  { idleWorkerSeconds, logFile, readyTimeoutMs = 90_000 }: OfflineOptions = {},
): Promise<OfflineServer> {
  const [httpPort, lambdaPort, webSocketPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  // serverless-esbuild empties its work folder at start and deletes it at exit: a folder shared
  // with `npm run dev` or another server would pull the bundles from under the running one.
  const buildFolder = join('.local', 'offline', `${process.pid}-${httpPort}`);
  const lines: string[] = [];
  const startedAt = performance.now();
  const child = spawn(
    join(projectRoot, 'node_modules', '.bin', 'serverless'),
    [
      'offline',
      'start',
      '--stage',
      'dev',
      '--httpPort',
      String(httpPort),
      '--lambdaPort',
      String(lambdaPort),
      '--websocketPort',
      String(webSocketPort),
      ...(idleWorkerSeconds === undefined
        ? []
        : ['--terminateIdleLambdaTime', String(idleWorkerSeconds)]),
    ],
    {
      cwd: projectRoot,
      env: {
        ...process.env,
        ...env,
        ...SERVERLESS_CLI_ENV,
        NODE_OPTIONS: offlineNodeOptions(),
        IS_OFFLINE: 'true',
        // Where the functions deliver real-time events: this server's own ports.
        WEBSOCKET_API_ENDPOINT: `http://127.0.0.1:${webSocketPort}`,
        LAMBDA_ENDPOINT: `http://127.0.0.1:${lambdaPort}`,
        ESBUILD_WORK_FOLDER: buildFolder,
        // No rebuild on edits (serverless.yml, custom.esbuild.watch): one build for the whole run.
        ESBUILD_WATCH_PATTERN: join(buildFolder, 'no-watch'),
        // Plain text, so scripts can read its lines ("× [504] - Lambda timeout.") whatever the
        // terminal or a FORCE_COLOR in the environment.
        FORCE_COLOR: '0',
        NO_COLOR: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  if (logFile) mkdirSync(dirname(logFile), { recursive: true });
  const log = logFile ? createWriteStream(logFile) : undefined;
  const keep = (chunk: Buffer) => {
    lines.push(chunk.toString());
    if (lines.length > 200) lines.shift();
    log?.write(`[+${((performance.now() - startedAt) / 1000).toFixed(1)} s] ${chunk}`);
  };
  child.once('exit', () => log?.end());
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const output = () => lines.join('').slice(-4000);
  const url = `http://127.0.0.1:${httpPort}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-(child.pid as number), 'SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(-(child.pid as number), 'SIGKILL');
    }
    // serverless-esbuild removes it on a clean exit; not after a SIGKILL.
    rmSync(join(projectRoot, buildFolder), { recursive: true, force: true });
  };
  try {
    await waitForHttp(`${url}/api/health`, child, readyTimeoutMs);
  } catch (error) {
    // It may have exited already (a bad serverless.yml): its output says why.
    if (child.exitCode === null) process.kill(-(child.pid as number), 'SIGKILL');
    throw new Error(`${(error as Error).message}\n${output()}`);
  }
  return {
    url,
    lambdaUrl: `http://127.0.0.1:${lambdaPort}`,
    webSocketUrl: `ws://127.0.0.1:${webSocketPort}`,
    child,
    output,
    startedAt,
    buildDir: join(projectRoot, buildFolder),
    stop,
  };
}
