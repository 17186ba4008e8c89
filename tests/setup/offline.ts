/**
 * Global setup: serverless-offline on a free port, wired to the local stack as `npm run dev` runs
 * it, but on stores of its own (a fresh database, keyspace and tables per run): a run neither reads
 * another's data nor slows down as the development database grows. Tests reach it through
 * inject('offlineUrl'), its stores through inject('offlineEnv'). Stopped when the project finishes.
 */
import type { TestProject } from 'vitest/node';
import { drivenServerSettings, startOffline } from '../../scripts/offline-server';
import { startStack } from '../../scripts/stack';
import { createIsolatedStores } from '../helpers/isolated-stores';

/** The teacher signup code the e2e server is started with. */
export const E2E_TEACHER_CODE = 'e2e-teacher-code';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stores = await createIsolatedStores(await startStack(), 'e2e');
  const server = await startOffline({
    ...stores.env,
    // serverless.yml names the functions' tables; this puts them on the run's own.
    OFFLINE_TABLE_PREFIX: stores.tablePrefix,
    LOG_LEVEL: 'warn',
    ...drivenServerSettings(E2E_TEACHER_CODE),
    // The e2e tests run compute-analytics right after finishing attempts.
    ANALYTICS_SETTLE_SECONDS: '0',
  });
  project.provide('offlineUrl', server.url);
  project.provide('offlineLambdaUrl', server.lambdaUrl);
  project.provide('offlineWebSocketUrl', server.webSocketUrl);
  project.provide('offlineBuildDir', server.buildDir);
  project.provide('offlineEnv', stores.env);
  project.provide('offlineTablePrefix', stores.tablePrefix);
  return server.stop;
}
