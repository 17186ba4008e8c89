/** The mixed run's once-a-second samples of the serverless-offline process group. */
import { sampleGroup } from '../../harness/procfs';
import type { WorkerThreads } from './http-load';

export interface Sample {
  second: number;
  connections: Record<string, number>;
  /** All processes of the group. */
  rssMb: number;
  /** The serverless-offline process alone (its workers are threads of it; esbuild is not). */
  offlineRssMb: number;
  workers: number;
}

/**
 * One sample of the group, with its Lambda worker count from `workers` (see workerThreads).
 */
export function sample(
  pgid: number,
  ports: Record<string, number>,
  workers: WorkerThreads,
  second: number,
): Sample {
  const { connections, rssMb, leaderRssMb } = sampleGroup(pgid, ports);
  return { second, connections, rssMb, offlineRssMb: leaderRssMb, workers: workers.count() };
}

/** The port of each engine, from the stack's connection settings. */
export function enginePorts(env: Record<string, string>): Record<string, number> {
  const port = (text: string | undefined, what: string) => {
    const match = /:(\d+)(?:[/?,]|$)/.exec(text ?? '');
    if (!match) throw new Error(`no port in ${what}: ${text}`);
    return Number(match[1]);
  };
  return {
    mongo: port(env.MONGODB_URL, 'MONGODB_URL'),
    cassandra: port(env.CASSANDRA_CONTACT_POINTS, 'CASSANDRA_CONTACT_POINTS'),
    dynamodb: port(env.DYNAMODB_ENDPOINT, 'DYNAMODB_ENDPOINT'),
  };
}
