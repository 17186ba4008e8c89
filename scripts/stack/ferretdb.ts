/**
 * FerretDB 1.24 (MongoDB wire protocol on SQLite), built from the Go module proxy.
 *
 * `go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2` builds, but the binary panics at
 * start: the module zip lacks the generated build/version/version.txt, which FerretDB requires when
 * it is the main module. So we copy the module source out of the Go module cache, write that file,
 * and `go build` the same command from it. Same code, same version, one extra file.
 */
import { chmodSync, cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineStatus, LocalEngine } from './engine';
import { logFile, paths } from './paths';
import { lastProbeFailure, mongoAnswers } from './probes';
import { portOpen, runningPid, startDetached, stopProcess, waitUntil } from './processes';
import { requireTool, run, toolOutput } from './tools';

export const FERRETDB_VERSION = 'v1.24.2';
const MODULE = 'github.com/FerretDB/FerretDB';
const binary = join(paths.bin, 'ferretdb');

function installed(): boolean {
  return (
    existsSync(binary) &&
    (toolOutput(binary, ['--version']) ?? '').includes(`version: ${FERRETDB_VERSION}`)
  );
}

async function install(): Promise<void> {
  if (installed()) return;
  const goVersion = requireTool(
    'go',
    ['version'],
    'FerretDB is built with Go >= 1.22; install Go (https://go.dev/doc/install or apt-get install golang-go) or set MONGODB_URL to a MongoDB you run',
  );
  process.stdout.write(
    `mongo      building FerretDB ${FERRETDB_VERSION} with ${goVersion.trim()} (first run only)...\n`,
  );
  const download = toolOutput('go', ['mod', 'download', '-json', `${MODULE}@${FERRETDB_VERSION}`]);
  if (!download) throw new Error(`go mod download ${MODULE}@${FERRETDB_VERSION} failed`);
  const moduleDir = (JSON.parse(download) as { Dir?: string }).Dir;
  if (!moduleDir) throw new Error(`go mod download did not report a directory for ${MODULE}`);
  const source = join(paths.src, `ferretdb-${FERRETDB_VERSION}`);
  rmSync(source, { recursive: true, force: true });
  cpSync(moduleDir, source, { recursive: true });
  chmodSync(join(source, 'build', 'version'), 0o755);
  writeFileSync(join(source, 'build', 'version', 'version.txt'), `${FERRETDB_VERSION}\n`);
  mkdirSync(paths.bin, { recursive: true });
  await run('go', ['build', '-trimpath', '-buildvcs=false', '-o', binary, './cmd/ferretdb'], {
    cwd: source,
    env: { ...process.env, GOFLAGS: '-mod=mod' },
  });
  rmSync(source, { recursive: true, force: true });
}

export function ferretdb(port: number): LocalEngine {
  const url = `mongodb://127.0.0.1:${port}/`;
  const label = `FerretDB ${FERRETDB_VERSION}`;
  const where = `mongodb://127.0.0.1:${port}`;
  return {
    name: 'mongo',
    label,
    install,
    async status(): Promise<EngineStatus> {
      const pid = runningPid('ferretdb');
      if (await mongoAnswers(url, 500)) {
        return { state: pid ? 'running' : 'external', where, ...(pid ? { pid } : {}) };
      }
      return { state: 'stopped', where, ...(pid ? { pid } : {}) };
    },
    async start(): Promise<EngineStatus> {
      const current = await this.status();
      if (current.state !== 'stopped') return current;
      if (current.pid === undefined && (await portOpen(port))) {
        throw new Error(
          `port ${port} is taken by something that is not MongoDB; set LOCAL_MONGO_PORT`,
        );
      }
      await install();
      let pid = current.pid;
      if (pid === undefined) {
        const dataDir = join(paths.data, 'ferretdb');
        mkdirSync(dataDir, { recursive: true });
        pid = startDetached('ferretdb', binary, [
          '--handler=sqlite',
          `--sqlite-url=file:${dataDir}/`,
          `--state-dir=${dataDir}`,
          `--listen-addr=127.0.0.1:${port}`,
          '--telemetry=disable', // by default it reports to its vendor
          '--debug-addr=-', // no metrics/pprof listener
          '--log-level=warn',
        ]);
      }
      await waitUntil(label, () => mongoAnswers(url, 500), {
        timeoutMs: 30_000,
        pid,
        log: logFile('ferretdb'),
      }).catch((error: Error) => {
        throw new Error(`${error.message} (last: ${lastProbeFailure.mongo ?? 'no answer'})`);
      });
      return { state: 'started', where, pid };
    },
    stop: () => stopProcess('ferretdb'),
  };
}
