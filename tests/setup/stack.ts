/** Global setup: make sure the local engines run, and hand their connection variables to tests. */
import type { TestProject } from 'vitest/node';
import { startStack } from '../../scripts/stack';

declare module 'vitest' {
  export interface ProvidedContext {
    stackEnv: Record<string, string>;
    offlineUrl: string;
    /** serverless-offline's Lambda Invoke API (scheduled functions are run through it). */
    offlineLambdaUrl: string;
    /** serverless-offline's WebSocket API (ws://...). */
    offlineWebSocketUrl: string;
    /** The e2e server's environment: the stack's, pointed at stores of its own. */
    offlineEnv: Record<string, string>;
    /** The prefix of the e2e server's DynamoDB tables (re-created after dynalite restarts). */
    offlineTablePrefix: string;
    /** The folder the e2e server's function bundles are built in and served from. */
    offlineBuildDir: string;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const env = await startStack({ print: (line) => console.log(`[stack] ${line}`) });
  project.provide('stackEnv', env);
}
