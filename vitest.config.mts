import { defineConfig } from 'vitest/config';

/**
 * Four projects. unit and integration run together first; e2e (through serverless-offline) next;
 * faults last and one file at a time, because they stop and restart the shared engines.
 * The stack global setup starts the local engines when they are not running (idempotent).
 */
const STACK = 'tests/setup/stack.ts';
const OFFLINE = 'tests/setup/offline.ts';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          // verify/'s own pure parts are tested beside them: tests/ never imports verify/.
          include: ['tests/unit/**/*.test.ts', 'verify/**/*.test.ts'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          globalSetup: [STACK],
          sequence: { groupOrder: 0 },
          testTimeout: 30_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          globalSetup: [STACK, OFFLINE],
          sequence: { groupOrder: 1 },
          // One file at a time: each first call cold-starts a function bundle in serverless-offline,
          // and parallel files on 2 cores can push a cold start past the function's timeout.
          fileParallelism: false,
          testTimeout: 30_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'faults',
          include: ['tests/faults/**/*.test.ts'],
          globalSetup: [STACK, OFFLINE],
          sequence: { groupOrder: 2 },
          fileParallelism: false,
          testTimeout: 240_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
});
