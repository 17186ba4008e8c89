/**
 * The bundles measured: each function's zip unpacked, a hello-world bundled as they are, what a
 * bundle holds (drivers, SDKs), and one sample of a bundle in a fresh Node process.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { load as loadYaml } from 'js-yaml';
import { packageDir } from '../../harness/packaged-functions';
import { projectRoot } from '../../scripts/stack/paths';
import { type Drivers, workDir } from './settings';

/** SDKs a bundle loads on first use (the runtime provides them; they are not in the zip). */
export function sdksIn(bundle: string): string {
  const code = readFileSync(bundle, 'utf8');
  const sdks = [
    ['@aws-sdk/lib-dynamodb', 'DynamoDB'],
    ['@aws-sdk/client-lambda', 'Lambda'],
    ['@aws-sdk/client-apigatewaymanagementapi', 'Management API'],
  ].filter(([module]) => code.includes(`"${module}"`));
  return sdks.map(([, name]) => name).join(', ') || '-';
}

/**
 * What Lambda's Node.js runtime (its runtime interface client) has loaded before it requires a
 * handler: http for the Runtime API, net for response streaming, and with them stream, util and
 * fs. A handler that uses these pays nothing for them there, so it pays nothing for them here.
 */
const RUNTIME_BUILTINS = ['http', 'net', 'stream', 'util', 'fs', 'path', 'assert'];
export const RUNTIME_PRELOAD = `for (const builtin of ${JSON.stringify(RUNTIME_BUILTINS)}) require(builtin);`;

/** One sample, in a fresh process: load the bundle, invoke it once, report both times. */
const RUNNER = `
${RUNTIME_PRELOAD}
const [file, name] = process.argv.slice(1);
const event = JSON.parse(process.env.COLD_EVENT);
const context = JSON.parse(process.env.COLD_CONTEXT);
context.getRemainingTimeInMillis = () => 20000;
const t0 = performance.now();
const mod = require(file);
const t1 = performance.now();
Promise.resolve(mod[name](event, context)).then((result) => {
  const t2 = performance.now();
  // A WebSocket route answers 200 with an event: its type (and error code) says what happened.
  const body = result && typeof result.body === 'string' && result.body.startsWith('{"type"') ? JSON.parse(result.body) : undefined;
  const answer = body && (body.code ? body.type + ' ' + body.code : body.type);
  process.stdout.write(JSON.stringify({ loadMs: t1 - t0, initMs: t1, firstMs: t2 - t1, status: result && result.statusCode, answer }) + '\\n');
  process.exit(0);
}, (error) => { console.error(error); process.exit(1); });
`;

export interface Sample {
  loadMs: number;
  /** From the process's start (performance's time origin) to the module loaded. */
  initMs: number;
  firstMs: number;
  status?: number;
  /** A WebSocket route's answer: the event's type (and error code). */
  answer?: string;
}

export function sample(file: string, exportName: string, env: NodeJS.ProcessEnv): Sample {
  const out = execFileSync(process.execPath, ['-e', RUNNER, file, exportName], {
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return JSON.parse(out.trim().split('\n').at(-1) as string) as Sample;
}

export function unzip(name: string): string {
  const dir = join(workDir, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const result = spawnSync('python3', [
    '-m',
    'zipfile',
    '-e',
    join(packageDir, `${name}.zip`),
    dir,
  ]);
  if (result.status !== 0) throw new Error(`unzip ${name}: ${result.stderr}`);
  return dir;
}

/**
 * A yardstick's handler: it holds only `drivers` (none: a hello-world), and loads them as the
 * functions do: mongoose at start, cassandra-driver on first use (every function reaches it
 * through a dynamic import: the message store, the health check), so the yardstick pays to
 * compile it at start but not to run it, like them.
 */
const YARDSTICK_SOURCE: Record<Drivers, string> = {
  none: "export const handler = async () => ({ statusCode: 200, body: 'hello' });\n",
  mongoose:
    "import mongoose from 'mongoose';\nexport const handler = async () => ({ statusCode: 200, body: mongoose.version });\n",
  cassandra:
    "export const handler = async () => ({ statusCode: 200, body: typeof (await import('cassandra-driver')).Client });\n",
  'mongoose+cassandra':
    "import mongoose from 'mongoose';\nexport const handler = async () => ({ statusCode: 200, body: mongoose.version + typeof (await import('cassandra-driver')).Client });\n",
};

/** serverless.yml's custom.esbuild options, less those that are serverless-esbuild's own. */
function esbuildOptions(): Record<string, unknown> {
  const yml = loadYaml(readFileSync(join(projectRoot, 'serverless.yml'), 'utf8')) as {
    custom: { esbuild: Record<string, unknown> };
  };
  const {
    exclude: _exclude,
    packager: _packager,
    watch: _watch,
    outputWorkFolder: _outputWorkFolder,
    ...options
  } = yml.custom.esbuild;
  return options;
}

/** The yardstick of `drivers`, bundled as serverless-esbuild bundles the functions. */
export function yardstickBundle(drivers: Drivers): string {
  const name = `yardstick-${drivers.replace('+', '-')}`;
  const source = join(workDir, `${name}.ts`);
  const outfile = join(workDir, name, `${name}.js`);
  mkdirSync(join(workDir, name), { recursive: true });
  writeFileSync(source, YARDSTICK_SOURCE[drivers]);
  buildSync({ ...esbuildOptions(), absWorkingDir: projectRoot, entryPoints: [source], outfile });
  return outfile;
}

/** The drivers a bundle holds, whether it loads them at start or on first use. */
export function driversIn(bundle: string): Drivers {
  const code = readFileSync(bundle, 'utf8');
  const mongoose = code.includes('node_modules/mongoose/');
  const cassandra = code.includes('node_modules/cassandra-driver/');
  if (mongoose) return cassandra ? 'mongoose+cassandra' : 'mongoose';
  return cassandra ? 'cassandra' : 'none';
}
