/**
 * A three-node Cassandra ring on this machine, for proving the message tier against a cluster
 * (`npm run stack -- ring start|stop|status`, `npm run verify:ring`). It is never part of
 * `npm run dev` or the tests, which use the one node of cassandra.ts.
 *
 * The nodes run the same Maven-resolved install as the single node, each on its own loopback
 * address (127.0.0.2-4) with the single node's ports: every listener of a node (CQL, internode)
 * binds to its own address, and no JMX port is opened, so the ring and the single node on
 * 127.0.0.1 never meet. Each node keeps its data, configuration and system log under
 * .local/cassandra-ring/node<n>/, and gets a bounded heap: three JVMs share a 2-core, 24 GiB box.
 */
import { join } from 'node:path';
import { Client, policies } from 'cassandra-driver';
import { migrateCassandra } from '../../lib/db/cassandra-migrate';
import type { CassandraNode } from './cassandra';
import { startCassandraNode } from './cassandra';
import { localDir, logFile } from './paths';
import { lastProbeFailure } from './probes';
import { isAlive, runningPid, stopProcess, waitUntil } from './processes';

export const RING_ADDRESSES = ['127.0.0.2', '127.0.0.3', '127.0.0.4'] as const;
export const RING_NATIVE_PORT = 9042;
export const RING_STORAGE_PORT = 7010;
export const RING_DATA_CENTER = 'datacenter1';
export const ringDir = join(localDir, 'cassandra-ring');
/** 3 x 640 MiB of heap (plus ~250 MiB off-heap each) leaves room for the rest of the stack. */
const RING_HEAP = process.env.LOCAL_CASSANDRA_RING_HEAP ?? '640M';
/** A node's start on a busy 2-core machine: JVM, commit log replay, gossip settling. */
const NODE_START_TIMEOUT_MS = 240_000;

/** The pid-file name of node `index` (0-based): .local/run/cassandra-ring-<n>.pid. */
export const ringEngine = (index: number) => `cassandra-ring-${index + 1}`;

/** Murmur3 tokens spread evenly over the ring: node i of n starts at -2^63 + i * 2^64 / n. Pure. */
export function ringToken(index: number, size: number): string {
  return (-(2n ** 63n) + (BigInt(index) * 2n ** 64n) / BigInt(size)).toString();
}

/** Node `index` (0-based) of a ring on `addresses`, its files under `dir`. Pure. */
export function ringNode(
  index: number,
  addresses: readonly string[] = RING_ADDRESSES,
  dir = ringDir,
): CassandraNode {
  const address = addresses[index];
  if (address === undefined) throw new Error(`the ring has no node ${index + 1}`);
  const home = join(dir, `node${index + 1}`);
  return {
    clusterName: 'plp-ring',
    address,
    nativePort: RING_NATIVE_PORT,
    storagePort: RING_STORAGE_PORT,
    // Every node is a seed: any one that is up lets a restarting node find the ring, whichever
    // two are down (a non-seed node whose seeds are all down cannot rejoin).
    seeds: addresses.map((a) => `${a}:${RING_STORAGE_PORT}`),
    initialToken: ringToken(index, addresses.length),
    dataDir: home,
    confDir: join(home, 'conf'),
    logDir: join(home, 'logs'),
    // A third of a 2-core machine each: small pools and memtables.
    concurrency: 4,
    memtableMiB: 64,
  };
}

/** The app's Cassandra variables for the ring, with `keyspace`. Pure. */
export function ringConnectionEnv(keyspace: string): Record<string, string> {
  return {
    CASSANDRA_CONTACT_POINTS: RING_ADDRESSES.map((a) => `${a}:${RING_NATIVE_PORT}`).join(','),
    CASSANDRA_LOCAL_DC: RING_DATA_CENTER,
    CASSANDRA_KEYSPACE: keyspace,
  };
}

/** What one node says over CQL: its version and the gossip state it holds of every node. */
interface NodeView {
  version: string;
  /** address -> gossip STATUS (NORMAL, shutdown, ...). */
  gossip: Map<string, string>;
}

/** Asks node `address` alone (the driver may use no other host); undefined when it does not answer. */
export async function nodeView(address: string, timeoutMs = 2_000): Promise<NodeView | undefined> {
  const contactPoint = `${address}:${RING_NATIVE_PORT}`;
  const client = new Client({
    contactPoints: [contactPoint],
    localDataCenter: RING_DATA_CENTER,
    policies: {
      loadBalancing: new policies.loadBalancing.AllowListPolicy(
        new policies.loadBalancing.DCAwareRoundRobinPolicy(RING_DATA_CENTER),
        [contactPoint],
      ),
    },
    socketOptions: { connectTimeout: timeoutMs, readTimeout: timeoutMs },
    monitorReporting: { enabled: false },
  });
  try {
    await client.connect();
    const local = await client.execute('SELECT release_version FROM system.local');
    const gossip = await client.execute('SELECT * FROM system_views.gossip_info');
    return {
      version: String(local.first()?.release_version ?? '?'),
      gossip: new Map(
        gossip.rows.map((row) => [
          String(row.address),
          // "NORMAL,<token>" / "shutdown,true": the state is the part before the comma.
          String(row.status_with_port ?? row.status ?? '?').split(',')[0] as string,
        ]),
      ),
    };
  } catch (error) {
    // Not answering is the answer here (down or still starting); why is kept for start-up errors.
    lastProbeFailure[`ring ${address}`] = error instanceof Error ? error.message : String(error);
    return undefined;
  } finally {
    await client.shutdown();
  }
}

export interface RingNodeStatus {
  address: string;
  pid?: number;
  /** U: it answers CQL on its own address. */
  up: boolean;
  /** N: every node that answers holds it in gossip as NORMAL. */
  normal: boolean;
  version?: string;
}

/**
 * `nodetool status` for the ring, over CQL (no JMX): a node is UN when it answers on its own
 * address and every answering node's gossip holds it as NORMAL.
 */
export async function ringStatus(): Promise<RingNodeStatus[]> {
  const views = await Promise.all(RING_ADDRESSES.map((address) => nodeView(address)));
  const answering = views.filter((v): v is NodeView => v !== undefined);
  return RING_ADDRESSES.map((address, index) => {
    const view = views[index];
    const pid = runningPid(ringEngine(index));
    return {
      address,
      ...(pid === undefined ? {} : { pid }),
      up: view !== undefined,
      normal: answering.length > 0 && answering.every((v) => v.gossip.get(address) === 'NORMAL'),
      ...(view ? { version: view.version } : {}),
    };
  });
}

/** `UN 127.0.0.2  pid 42  5.0.9`, as nodetool status prints its first column. Pure. */
export function formatRingNode(node: RingNodeStatus): string {
  const state = `${node.up ? 'U' : 'D'}${node.normal ? 'N' : '?'}`;
  return `${state} ${node.address.padEnd(10)} ${node.pid ? `pid ${node.pid}` : 'not ours'}  ${node.version ?? ''}`.trimEnd();
}

/** Waits until node `index` is UN in every answering node's view. */
export async function waitForNormal(index: number, pid?: number): Promise<void> {
  await waitUntil(
    `ring node ${index + 1} (${RING_ADDRESSES[index]})`,
    async () => {
      const status = (await ringStatus())[index];
      return status?.up === true && status.normal;
    },
    {
      timeoutMs: NODE_START_TIMEOUT_MS,
      ...(pid === undefined ? {} : { pid }),
      log: logFile(ringEngine(index)),
    },
  );
}

/** Starts node `index` unless it runs; resolves once it is UN. Returns its pid. */
export async function startRingNode(index: number): Promise<number> {
  let pid = runningPid(ringEngine(index));
  if (pid === undefined) {
    pid = await startCassandraNode(ringEngine(index), ringNode(index), RING_HEAP);
  }
  await waitForNormal(index, pid);
  return pid;
}

/** Stops node `index` (SIGTERM: Cassandra drains, announces its shutdown, then exits). */
export function stopRingNode(index: number): Promise<boolean> {
  return stopProcess(ringEngine(index), 60_000);
}

/** Starts the nodes one after another (a node joins a ring that has settled), until all are UN. */
export async function startRing(print: (line: string) => void): Promise<void> {
  for (const index of RING_ADDRESSES.keys()) {
    const started = performance.now();
    const pid = await startRingNode(index);
    print(
      `ring node ${index + 1} ${RING_ADDRESSES[index]} UN (pid ${pid}, ${((performance.now() - started) / 1000).toFixed(0)} s)`,
    );
  }
}

/** Stops every node of the ring this stack started. */
export async function stopRing(print: (line: string) => void): Promise<void> {
  for (const index of RING_ADDRESSES.keys()) {
    const stopped = await stopRingNode(index);
    print(`ring node ${index + 1} ${RING_ADDRESSES[index]} ${stopped ? 'stopped' : 'not running'}`);
  }
}

/** True when node `index` has a live process (it may still be starting or stopping). */
export const ringNodeRunning = (index: number) => {
  const pid = runningPid(ringEngine(index));
  return pid !== undefined && isAlive(pid);
};

/**
 * Applies the schema to `keyspace` on the ring, creating it if needed (the migrator takes its
 * replication factor from the nodes it sees in the local DC: 3 here). Returns the keyspace's
 * replication as the ring holds it.
 */
export async function migrateRing(keyspace: string) {
  const settings = {
    kind: 'cluster' as const,
    contactPoints: RING_ADDRESSES.map((a) => `${a}:${RING_NATIVE_PORT}`),
    localDataCenter: RING_DATA_CENTER,
    keyspace,
    connectTimeoutMs: 5_000,
    // DDL waits for schema agreement between three busy JVMs.
    readTimeoutMs: 30_000,
  };
  const report = await migrateCassandra({ settings });
  const client = new Client({
    contactPoints: settings.contactPoints,
    localDataCenter: RING_DATA_CENTER,
    monitorReporting: { enabled: false },
  });
  try {
    const row = (
      await client.execute(
        'SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = ?',
        [keyspace],
        { prepare: true },
      )
    ).first();
    return { ...report, replication: (row?.replication ?? {}) as Record<string, string> };
  } finally {
    await client.shutdown();
  }
}
