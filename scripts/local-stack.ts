/**
 * npm run stack -- start|stop|status|env [mongo|cassandra|dynamodb ...]
 *
 * start   installs on first use, starts what is not running, applies the Cassandra schema, creates
 *         the DynamoDB tables, and prints what runs where
 * stop    stops the engines this stack started
 * status  prints the state of each engine
 * env     prints `export X=...` lines for the app's connection variables (eval "$(npm run -s stack -- env)")
 * ring start|stop|status
 *         a three-node Cassandra ring on 127.0.0.2-4 (scripts/stack/ring.ts), apart from the
 *         engines above; start also applies the schema to keyspace $CASSANDRA_KEYSPACE (plp)
 */

import { formatReport, stackStatus, startStack, stopStack } from './stack';
import {
  formatRingNode,
  migrateRing,
  ringConnectionEnv,
  ringStatus,
  startRing,
  stopRing,
} from './stack/ring';
import type { EngineName } from './stack/settings';
import { MissingToolError } from './stack/tools';

const ENGINES: EngineName[] = ['mongo', 'cassandra', 'dynamodb'];

async function ring(command: string | undefined, print: (line: string) => void): Promise<number> {
  switch (command) {
    case 'start': {
      await startRing(print);
      const keyspace = process.env.CASSANDRA_KEYSPACE || 'plp';
      const report = await migrateRing(keyspace);
      print(`ring keyspace ${keyspace}: replication ${JSON.stringify(report.replication)}`);
      for (const [key, value] of Object.entries(ringConnectionEnv(keyspace)))
        print(`export ${key}=${JSON.stringify(value)}`);
      return 0;
    }
    case 'stop':
      await stopRing(print);
      return 0;
    case 'status': {
      const nodes = await ringStatus();
      for (const node of nodes) print(formatRingNode(node));
      return nodes.every((n) => n.up && n.normal) ? 0 : 3;
    }
    default:
      console.error(`unknown ring command "${command}"; expected start, stop or status`);
      return 2;
  }
}

async function main(): Promise<number> {
  const [command = 'start', ...rest] = process.argv.slice(2);
  if (command === 'ring') return ring(rest[0], (line) => console.log(line));
  const unknown = rest.filter((name) => !ENGINES.includes(name as EngineName));
  if (unknown.length > 0) {
    console.error(`unknown engine(s): ${unknown.join(', ')}; expected ${ENGINES.join(', ')}`);
    return 2;
  }
  const only = rest.length > 0 ? (rest as EngineName[]) : undefined;
  const print = (line: string) => console.log(line);
  switch (command) {
    case 'start':
      await startStack({ ...(only ? { only } : {}), print });
      return 0;
    case 'stop':
      await stopStack(only, print);
      return 0;
    case 'status': {
      const reports = await stackStatus();
      for (const report of reports) print(formatReport(report));
      return reports.some((r) => r.state === 'stopped') ? 3 : 0;
    }
    case 'env': {
      const env = await startStack({
        ...(only ? { only } : {}),
        print: (line) => console.error(line),
      });
      for (const [key, value] of Object.entries(env))
        print(`export ${key}=${JSON.stringify(value)}`);
      return 0;
    }
    default:
      console.error(`unknown command "${command}"; expected start, stop, status, env or ring`);
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof MissingToolError) console.error(`local stack: ${error.message}`);
    else console.error('local stack failed:', error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
