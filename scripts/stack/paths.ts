/** Where the local stack keeps engines, data, logs and pid files: all under the git-ignored .local/. */
import { join, resolve } from 'node:path';

export const projectRoot = resolve(__dirname, '..', '..');
export const localDir = join(projectRoot, '.local');

export const paths = {
  bin: join(localDir, 'bin'),
  src: join(localDir, 'src'),
  data: join(localDir, 'data'),
  logs: join(localDir, 'logs'),
  run: join(localDir, 'run'),
  cassandraHome: join(localDir, 'cassandra'),
};

export const pidFile = (engine: string) => join(paths.run, `${engine}.pid`);
export const logFile = (engine: string) => join(paths.logs, `${engine}.log`);
