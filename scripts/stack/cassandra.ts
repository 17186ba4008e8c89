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

/** The smallest cassandra.yaml that runs one node on loopback with data under .local/. */
function writeConfig(port: number, storagePort: number, dataDir: string): string {
  mkdirSync(confDir, { recursive: true });
  const yaml = `# Written by scripts/stack/cassandra.ts on every start; edit that file, not this one.
cluster_name: plp-local
num_tokens: 1
initial_token: 0
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
authenticator: AllowAllAuthenticator
authorizer: AllowAllAuthorizer
endpoint_snitch: SimpleSnitch
seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: "127.0.0.1:${storagePort}"
listen_address: 127.0.0.1
rpc_address: 127.0.0.1
storage_port: ${storagePort}
native_transport_port: ${port}
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
concurrent_reads: 8
concurrent_writes: 8
concurrent_counter_writes: 8
memtable_heap_space: 128MiB
memtable_offheap_space: 128MiB
`;
  const path = join(confDir, 'cassandra.yaml');
  writeFileSync(path, yaml);
  writeFileSync(
    join(confDir, 'logback.xml'),
    `<configuration scan="false">
  <appender name="FILE" class="ch.qos.logback.core.FileAppender">
    <file>${paths.logs}/cassandra-system.log</file>
    <encoder><pattern>%-5level [%thread] %date{ISO8601} %F:%L - %msg%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="FILE"/></root>
</configuration>
`,
  );
  return path;
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
      await install();
      let pid = current.pid;
      if (pid === undefined) {
        const dataDir = join(paths.data, 'cassandra');
        mkdirSync(dataDir, { recursive: true });
        const yaml = writeConfig(port, storagePort, dataDir);
        pid = startDetached('cassandra', javaCommand(), [
          `-Xms${HEAP}`,
          `-Xmx${HEAP}`,
          '-Xss256k',
          '-XX:+UseG1GC',
          '-XX:+ParallelRefProcEnabled',
          '-XX:MaxTenuringThreshold=1',
          '-XX:G1HeapRegionSize=16m',
          '-XX:+ExitOnOutOfMemoryError',
          ...JAVA17_MODULE_OPTIONS,
          `-javaagent:${jammJar()}`,
          `-Dcassandra.config=file://${yaml}`,
          `-Dlogback.configurationFile=${join(confDir, 'logback.xml')}`,
          `-Dcassandra.logdir=${paths.logs}`,
          `-Dcassandra.storagedir=${dataDir}`,
          '-Dcassandra-foreground=yes',
          // One node, no peers: skip the waits that let a real ring settle.
          '-Dcassandra.skip_wait_for_gossip_to_settle=0',
          '-Dcassandra.ring_delay_ms=0',
          '-cp',
          `${libDir}/*`,
          'org.apache.cassandra.service.CassandraDaemon',
        ]);
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
