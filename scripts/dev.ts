/**
 * npm run dev: starts the local stack, then serverless-offline on http://localhost:3000 with every
 * function wired to it, and the development teacher code when none is configured (local only).
 * Ctrl-C stops serverless-offline; the engines keep running for the next start (`npm run stack --
 * stop` stops them).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { SERVERLESS_CLI_ENV } from './cli-env';
import { localDevServerSettings, offlineNodeOptions, teacherCodeBanner } from './offline-server';
import { startStack } from './stack';
import { projectRoot } from './stack/paths';
import { MissingToolError } from './stack/tools';

async function main(): Promise<void> {
  const stackEnv = await startStack({ print: (line) => console.log(line) });
  const port = process.env.HTTP_PORT ?? '3000';
  const webSocketPort = process.env.WEBSOCKET_PORT ?? '3001';
  const lambdaPort = process.env.LAMBDA_PORT ?? '3002';
  console.log(
    `serverless-offline starting on http://localhost:${port} (try: curl localhost:${port}/api/health)`,
  );
  console.log(`live chat (WebSocket API) on ws://localhost:${webSocketPort}`);
  // After startStack, which has read .env into process.env.
  console.log(teacherCodeBanner(process.env));
  console.log('demo accounts: npm run seed (in another terminal) creates them and prints them');
  const offline = spawn(
    join(projectRoot, 'node_modules', '.bin', 'serverless'),
    ['offline', 'start', '--stage', process.env.STAGE ?? 'dev'],
    {
      cwd: projectRoot,
      stdio: 'inherit',
      env: {
        ...process.env,
        ...localDevServerSettings(process.env),
        ...stackEnv,
        ...SERVERLESS_CLI_ENV,
        NODE_OPTIONS: offlineNodeOptions(),
        IS_OFFLINE: 'true',
        // The functions deliver real-time events through serverless-offline's own ports.
        WEBSOCKET_API_ENDPOINT: `http://127.0.0.1:${webSocketPort}`,
        LAMBDA_ENDPOINT: `http://127.0.0.1:${lambdaPort}`,
      },
    },
  );
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => offline.kill(signal));
  }
  offline.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  console.error(
    error instanceof MissingToolError ? `local stack: ${message}` : `dev failed: ${message}`,
  );
  process.exit(1);
});
