/**
 * Global setup: serverless-offline on a free port, wired to the local stack, as `npm run dev` runs
 * it. Tests reach it through inject('offlineUrl'). Stopped when the project finishes.
 */
import type { TestProject } from 'vitest/node';
import { startOffline } from '../../scripts/offline-server';
import { startStack } from '../../scripts/stack';

/** The teacher signup code the e2e server is started with. */
export const E2E_TEACHER_CODE = 'e2e-teacher-code';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stackEnv = await startStack();
  const server = await startOffline({
    ...stackEnv,
    LOG_LEVEL: 'warn',
    TEACHER_SIGNUP_CODE: E2E_TEACHER_CODE,
    // Cheap hashes for tests (the cost is stored per hash).
    PASSWORD_HASH_LOG_N: '10',
    // Every e2e request comes from 127.0.0.1: the per-address limit is tested in-process.
    LOGIN_MAX_FAILURES_PER_IP: '10000',
    // The e2e tests run compute-analytics right after finishing attempts.
    ANALYTICS_SETTLE_SECONDS: '0',
  });
  project.provide('offlineUrl', server.url);
  project.provide('offlineLambdaUrl', server.lambdaUrl);
  return server.stop;
}
