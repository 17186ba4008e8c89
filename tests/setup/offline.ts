/**
 * Global setup: serverless-offline on a free port, wired to the local stack, as `npm run dev` runs
 * it. Tests reach it through inject('offlineUrl'). Stopped when the project finishes.
 */
import type { TestProject } from 'vitest/node';
import { drivenServerSettings, startOffline } from '../../scripts/offline-server';
import { startStack } from '../../scripts/stack';

/** The teacher signup code the e2e server is started with. */
export const E2E_TEACHER_CODE = 'e2e-teacher-code';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stackEnv = await startStack();
  const server = await startOffline({
    ...stackEnv,
    LOG_LEVEL: 'warn',
    ...drivenServerSettings(E2E_TEACHER_CODE),
    // The e2e tests run compute-analytics right after finishing attempts.
    ANALYTICS_SETTLE_SECONDS: '0',
  });
  project.provide('offlineUrl', server.url);
  project.provide('offlineLambdaUrl', server.lambdaUrl);
  project.provide('offlineWebSocketUrl', server.webSocketUrl);
  project.provide('offlineBuildDir', server.buildDir);
  return server.stop;
}
