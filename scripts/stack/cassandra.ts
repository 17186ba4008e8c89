/**
 * Apache Cassandra 5.0 as one local node: the cassandra-all jar and its dependencies resolved from
 * Maven Central by scripts/cassandra/pom.xml, a minimal cassandra.yaml written here, and
 * CassandraDaemon started on the machine's Java 17 with the JVM options the project's own
 * conf/jvm17-server.options carries, and a bounded heap.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineStatus, LocalEngine } from './engine';
import { logFile, paths, projectRoot } from './paths';
import { cassandraVersion, lastProbeFailure } from './probes';
import { portOpen, runningPid, startDetached, stopProcess, waitUntil } from './processes';
import { MissingToolError, requireTool, run } from './tools';

export const CASSANDRA_VERSION = '5.0.9';
const HEAP = process.env.LOCAL_CASSANDRA_HEAP ?? '1G';
const libDir = join(paths.cassandraHome, 'lib');
const confDir = join(paths.cassandraHome, 'conf');
const installedMarker = join(libDir, `.complete-${CASSANDRA_VERSION}`);

/** From Cassandra 5.0's conf/jvm17-server.options: module access its internals need on Java 17. */
const JAVA17_MODULE_OPTIONS = [
  '-Djdk.attach.allowAttachSelf=true',
  ...[
    'java.base/jdk.internal.misc',
    'java.management.rmi/com.sun.jmx.remote.internal.rmi',
    'java.rmi/sun.rmi.registry',
    'java.rmi/sun.rmi.server',
    'java.sql/java.sql',
    'java.base/java.lang.ref',
    'jdk.unsupported/sun.misc',
    'jdk.compiler/com.sun.tools.javac.file',
    'jdk.attach/sun.tools.attach',
  ].flatMap((pkg) => ['--add-exports', `${pkg}=ALL-UNNAMED`]),
  ...[
    'java.base/java.lang.module',
    'java.base/jdk.internal.loader',
    'java.base/jdk.internal.ref',
    'java.base/jdk.internal.reflect',
    'java.base/jdk.internal.math',
    'java.base/jdk.internal.module',
    'java.base/jdk.internal.util.jar',
    'jdk.management/com.sun.management.internal',
    'java.base/sun.nio.ch',
    'java.base/java.io',
    'java.base/java.lang.reflect',
    'jdk.compiler/com.sun.tools.javac',
    'java.base/java.lang',
    'java.base/java.util',
  ].flatMap((pkg) => ['--add-opens', `${pkg}=ALL-UNNAMED`]),
  '-Dio.netty.tryReflectionSetAccessible=true',
  '-Dio.netty.allocator.useCacheForAllThreads=true',
  '-Dio.netty.allocator.maxOrder=11',
];

/** Java 11 or 17: the versions Cassandra 5.0 supports. Returns the `java` to run. */
function javaCommand(): string {
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  const fix =
    'Cassandra 5.0 needs Java 17 (or 11): apt-get install openjdk-17-jdk-headless, or set JAVA_HOME; or set CASSANDRA_CONTACT_POINTS / ASTRA_DB_* to a Cassandra you run, or LOCAL_STACK_CASSANDRA=off';
  const version = requireTool(java, ['-version'], fix);
  const major = Number(/version "(\d+)/.exec(version)?.[1]);
  if (major !== 17 && major !== 11) {
    throw new MissingToolError(`Java ${major} found; ${fix}`);
  }
  return java;
}

async function install(): Promise<void> {
  if (existsSync(installedMarker)) return;
  javaCommand();
  requireTool(
    'mvn',
    ['-v'],
    'resolving Cassandra from Maven Central needs Maven: apt-get install maven',
  );
  process.stdout.write(
    `cassandra  resolving cassandra-all ${CASSANDRA_VERSION} from Maven Central (first run only)...\n`,
  );
  mkdirSync(libDir, { recursive: true });
  await run('mvn', [
    '-B',
    '-q',
    '-f',
    join(projectRoot, 'scripts', 'cassandra', 'pom.xml'),
    `-Dcassandra.version=${CASSANDRA_VERSION}`,
    'dependency:copy-dependencies',
    `-DoutputDirectory=${libDir}`,
    '-DincludeScope=runtime',
  ]);
  writeFileSync(installedMarker, new Date().toISOString());
}

/** jamm measures object sizes for memtable accounting; Cassandra expects it as a Java agent. */
function jammJar(): string {
  const jar = readdirSync(libDir).find((file) => /^jamm-[\d.]+\.jar$/.test(file));
  if (!jar) throw new Error(`no jamm jar in ${libDir}; delete ${installedMarker} and start again`);
  return join(libDir, jar);
}

/** Where one node keeps its files, how it is reached, and how it finds its ring. */
export interface CassandraNode {
  clusterName: string;
  /** Its own loopback address: every listener of the node binds to it, nothing else. */
  address: string;
  nativePort: number;
  storagePort: number;
  /** address:storagePort of the seed nodes (the node itself for a one-node cluster). */
  seeds: string[];
  /** Murmur3 token: one per node (num_tokens 1), so a small ring's ownership is even and fixed. */
  initialToken: string;
  dataDir: string;
  confDir: string;
  logDir: string;
  /** concurrent_reads/writes/counter_writes: thread pools sized for the cores the node gets. */
  concurrency: number;
  memtableMiB: number;
}

/** The cassandra.yaml of `node`. Pure. */
export function cassandraYaml(node: CassandraNode): string {
  const { dataDir } = node;
  return `# Written by scripts/stack/cassandra.ts on every start; edit that file, not this one.
cluster_name: ${node.clusterName}
num_tokens: 1
initial_token: ${node.initialToken}
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
authenticator: AllowAllAuthenticator
authorizer: AllowAllAuthorizer
endpoint_snitch: SimpleSnitch
seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: "${node.seeds.join(',')}"
listen_address: ${node.address}
rpc_address: ${node.address}
storage_port: ${node.storagePort}
native_transport_port: ${node.nativePort}
start_native_transport: true
data_file_directories: [${dataDir}/data]
commitlog_directory: ${dataDir}/commitlog
saved_caches_directory: ${dataDir}/saved_caches
hints_directory: ${dataDir}/hints
cdc_raw_directory: ${dataDir}/cdc_raw
# A laptop-sized node: small memtables and thread pools.
commitlog_sync: periodic
commitlog_sync_period: 10000ms
disk_failure_policy: stop
commit_failure_policy: stop
auto_snapshot: false
concurrent_reads: ${node.concurrency}
concurrent_writes: ${node.concurrency}
concurrent_counter_writes: ${node.concurrency}
memtable_heap_space: ${node.memtableMiB}MiB
memtable_offheap_space: ${node.memtableMiB}MiB
`;
}

/** Logback configuration sending the node's system log to `logDir`. Pure. */
export function logbackXml(logDir: string): string {
  return `<configuration scan="false">
  <appender name="FILE" class="ch.qos.logback.core.FileAppender">
    <file>${logDir}/cassandra-system.log</file>
    <encoder><pattern>%-5level [%thread] %date{ISO8601} %F:%L - %msg%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="FILE"/></root>
</configuration>
`;
}

/** Writes the node's cassandra.yaml and logback.xml; returns their paths. */
function writeConfig(node: CassandraNode): { yaml: string; logback: string } {
  mkdirSync(node.confDir, { recursive: true });
  mkdirSync(node.dataDir, { recursive: true });
  const yaml = join(node.confDir, 'cassandra.yaml');
  const logback = join(node.confDir, 'logback.xml');
  writeFileSync(yaml, cassandraYaml(node));
  writeFileSync(logback, logbackXml(node.logDir));
  return { yaml, logback };
}

/**
 * The JVM command line of `node` with a heap of `heap` (e.g. "1G"). `systemProperties` adds
 * -D options (a one-node cluster skips the waits that let a real ring settle). Pure.
 */
export function cassandraJvmArgs(
  node: CassandraNode,
  files: { yaml: string; logback: string; jamm: string },
  heap: string,
  systemProperties: Record<string, string> = {},
): string[] {
  return [
    `-Xms${heap}`,
    `-Xmx${heap}`,
    '-Xss256k',
    '-XX:+UseG1GC',
    '-XX:+ParallelRefProcEnabled',
    '-XX:MaxTenuringThreshold=1',
    '-XX:G1HeapRegionSize=16m',
    '-XX:+ExitOnOutOfMemoryError',
    ...JAVA17_MODULE_OPTIONS,
    `-javaagent:${files.jamm}`,
    `-Dcassandra.config=file://${files.yaml}`,
    `-Dlogback.configurationFile=${files.logback}`,
    `-Dcassandra.logdir=${node.logDir}`,
    `-Dcassandra.storagedir=${node.dataDir}`,
    '-Dcassandra-foreground=yes',
    ...Object.entries(systemProperties).map(([key, value]) => `-D${key}=${value}`),
    '-cp',
    `${libDir}/*`,
    'org.apache.cassandra.service.CassandraDaemon',
  ];
}

/**
 * Installs Cassandra if needed and starts `node` detached, tracked as `engine` (its pid file and
 * output log under .local/); returns the pid.
 */
export async function startCassandraNode(
  engine: string,
  node: CassandraNode,
  heap: string,
  systemProperties: Record<string, string> = {},
): Promise<number> {
  await install();
  const files = { ...writeConfig(node), jamm: jammJar() };
  return startDetached(
    engine,
    javaCommand(),
    cassandraJvmArgs(node, files, heap, systemProperties),
  );
}

/** The one node of `npm run dev` and the tests, on 127.0.0.1 with its data under .local/data. */
export function singleNode(port: number, storagePort: number): CassandraNode {
  return {
    clusterName: 'plp-local',
    address: '127.0.0.1',
    nativePort: port,
    storagePort,
    seeds: [`127.0.0.1:${storagePort}`],
    initialToken: '0',
    dataDir: join(paths.data, 'cassandra'),
    confDir,
    logDir: paths.logs,
    concurrency: 8,
    memtableMiB: 128,
  };
}

export function cassandra(port: number, storagePort: number, dataCenter: string): LocalEngine {
  const contactPoint = `127.0.0.1:${port}`;
  const label = `Cassandra ${CASSANDRA_VERSION}`;
  const where = `${contactPoint} dc=${dataCenter}`;
  return {
    name: 'cassandra',
    label,
    install,
    async status(): Promise<EngineStatus> {
      const pid = runningPid('cassandra');
      const version = await cassandraVersion(contactPoint, dataCenter, 1_000);
      if (version)
        return {
          state: pid ? 'running' : 'external',
          where: `${where} (${version})`,
          ...(pid ? { pid } : {}),
        };
      return { state: 'stopped', where, ...(pid ? { pid } : {}) };
    },
    async start(): Promise<EngineStatus> {
      const current = await this.status();
      if (current.state !== 'stopped') return current;
      if (current.pid === undefined && (await portOpen(port))) {
        throw new Error(
          `port ${port} is taken by something that is not Cassandra; set LOCAL_CASSANDRA_PORT`,
        );
      }
      let pid = current.pid;
      if (pid === undefined) {
        pid = await startCassandraNode('cassandra', singleNode(port, storagePort), HEAP, {
          // One node, no peers: skip the waits that let a real ring settle.
          'cassandra.skip_wait_for_gossip_to_settle': '0',
          'cassandra.ring_delay_ms': '0',
        });
      }
      await waitUntil(
        label,
        async () => (await cassandraVersion(contactPoint, dataCenter, 1_000)) !== undefined,
        {
          timeoutMs: 180_000,
          pid,
          log: logFile('cassandra'),
        },
      ).catch((error: Error) => {
        throw new Error(`${error.message} (last: ${lastProbeFailure.cassandra ?? 'no answer'})`);
      });
      return { state: 'started', where: `${where} (${CASSANDRA_VERSION})`, pid };
    },
    stop: () => stopProcess('cassandra', 60_000),
  };
}
