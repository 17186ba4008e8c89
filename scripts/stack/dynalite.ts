/** dynalite: a DynamoDB-compatible HTTP server (npm), in memory, as the local session store. */
import { join } from 'node:path';
import type { EngineStatus, LocalEngine } from './engine';
import { logFile, projectRoot } from './paths';
import { dynamoAnswers, lastProbeFailure } from './probes';
import { portOpen, runningPid, startDetached, stopProcess, waitUntil } from './processes';

export function dynalite(port: number): LocalEngine {
  const endpoint = `http://127.0.0.1:${port}`;
  const label = 'dynalite 4';
  return {
    name: 'dynamodb',
    label,
    install: async () => undefined, // an npm devDependency: `npm install` brought it
    async status(): Promise<EngineStatus> {
      const pid = runningPid('dynalite');
      if (await dynamoAnswers(endpoint, 500)) {
        return { state: pid ? 'running' : 'external', where: endpoint, ...(pid ? { pid } : {}) };
      }
      return { state: 'stopped', where: endpoint, ...(pid ? { pid } : {}) };
    },
    async start(): Promise<EngineStatus> {
      const current = await this.status();
      if (current.state !== 'stopped') return current;
      if (current.pid === undefined && (await portOpen(port))) {
        throw new Error(
          `port ${port} is taken by something that is not DynamoDB; set LOCAL_DYNAMO_PORT`,
        );
      }
      let pid = current.pid;
      if (pid === undefined) {
        pid = startDetached('dynalite', process.execPath, [
          // dynalite uses a deprecated Node API once per start; the warning is noise here.
          '--no-deprecation',
          join(projectRoot, 'node_modules', 'dynalite', 'cli.js'),
          '--host',
          '127.0.0.1',
          '--port',
          String(port),
          '--createTableMs',
          '0',
          '--deleteTableMs',
          '0',
          '--updateTableMs',
          '0',
        ]);
      }
      await waitUntil(label, () => dynamoAnswers(endpoint, 500), {
        timeoutMs: 15_000,
        pid,
        log: logFile('dynalite'),
      }).catch((error: Error) => {
        throw new Error(`${error.message} (last: ${lastProbeFailure.dynamodb ?? 'no answer'})`);
      });
      return { state: 'started', where: endpoint, pid };
    },
    stop: () => stopProcess('dynalite'),
  };
}
