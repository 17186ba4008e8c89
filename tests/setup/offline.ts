/**
 * Global setup: serverless-offline on a free port, wired to the local stack, as `npm run dev` runs
 * it. Tests reach it through inject('offlineUrl'). Stopped when the project finishes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { SERVERLESS_CLI_ENV } from '../../scripts/cli-env';
import { startStack } from '../../scripts/stack';
import { projectRoot } from '../../scripts/stack/paths';

/** The teacher signup code the e2e server is started with. */
export const E2E_TEACHER_CODE = 'e2e-teacher-code';

function freePort(): Promise<number> {
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

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stackEnv = await startStack();
  const [httpPort, lambdaPort] = [await freePort(), await freePort()];
  const output: string[] = [];
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
    ],
    {
      cwd: projectRoot,
      env: {
        ...process.env,
        ...stackEnv,
        ...SERVERLESS_CLI_ENV,
        IS_OFFLINE: 'true',
        LOG_LEVEL: 'warn',
        TEACHER_SIGNUP_CODE: E2E_TEACHER_CODE,
        // Cheap hashes for tests (the cost is stored per hash).
        PASSWORD_HASH_LOG_N: '10',
        // Every e2e request comes from 127.0.0.1: the per-address limit is tested in-process.
        LOGIN_MAX_FAILURES_PER_IP: '10000',
        // The e2e tests run compute-analytics right after finishing attempts.
        ANALYTICS_SETTLE_SECONDS: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so teardown stops its workers too
    },
  );
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 200) output.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const baseUrl = `http://127.0.0.1:${httpPort}`;
  try {
    await waitForHttp(`${baseUrl}/api/health`, child, 90_000);
  } catch (error) {
    process.kill(-(child.pid as number), 'SIGKILL');
    throw new Error(`${(error as Error).message}\n${output.join('').slice(-4000)}`);
  }
  project.provide('offlineUrl', baseUrl);
  project.provide('offlineLambdaUrl', `http://127.0.0.1:${lambdaPort}`);
  return async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-(child.pid as number), 'SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
    if (child.exitCode === null) process.kill(-(child.pid as number), 'SIGKILL');
  };
}
