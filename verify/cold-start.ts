/**
 * npm run verify:cold-start: for every function zip of `serverless package`,
 * the median over fresh Node processes (BENCH_COLD_SAMPLES, default 10) of
 *   start: from the process's start to the bundle loaded (what Lambda's init pays),
 *   load: requiring the bundle (what a cold start adds to Node's own start), and
 *   first: the first invocation, with its database calls answered by the local stack
 *        (a logged-in caller, so the session is looked up; GETs with id 1 reach MongoDB;
 *        the WebSocket routes get API Gateway's WebSocket event on a recorded connection of
 *        that session, see harness/lambda-events.ts),
 * next to yardsticks bundled the same way and measured in the same run: a hello-world, and bundles
 * of bare mongoose, bare cassandra-driver and both. Each budget is a ratio of a function's start
 * to the start of the yardstick holding the same drivers (cold-start/settings.ts says why and
 * which). Prints a table (the milliseconds too, the bundle sizes and the CPU it ran on) and exits
 * 1 when a budget fails.
 * BENCH_COLD_FUNCTIONS=get-me,send-message measures only those functions (for quick comparisons).
 * BENCH_COLD_PROFILE=not-found,get-openapi also prints where those functions' load goes, module by
 * module, from V8's CPU profile (cold-start/profile.ts).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load as loadYaml } from 'js-yaml';
import { lambdaContext } from '../harness/lambda-events';
import { median } from '../harness/latency';
import { cpuDescription } from '../harness/machine';
import { packagedFunctions, packageFunctions, zipKb } from '../harness/packaged-functions';
import { resetConfig } from '../lib/config';
import { closeCassandra } from '../lib/db/cassandra';
import { closeDynamo } from '../lib/db/dynamo';
import { closeMongo } from '../lib/db/mongo';
import { forgetConnection } from '../lib/realtime/connections';
import { startStack } from '../scripts/stack';
import { projectRoot } from '../scripts/stack/paths';
import { driversIn, type Sample, sample, sdksIn, unzip } from './cold-start/bundles';
import { type Caller, eventFor, signedInTeacher } from './cold-start/caller';
import { writeColdStartChart } from './cold-start/chart';
import { profileLoad, profileTable } from './cold-start/profile';
import { coldStartReport } from './cold-start/report';
import {
  type ColdStartRow,
  type FunctionSpec,
  ONLY,
  PROFILED,
  SAMPLES,
  workDir,
} from './cold-start/settings';
import { Yardsticks } from './cold-start/yardsticks';
import { reportChecks } from './report';

/** Function `name`'s zip unpacked: its bundle's path and the handler's export. */
function bundleOf(name: string, spec: FunctionSpec) {
  const dot = spec.handler.lastIndexOf('.');
  const file = join(unzip(name), `${spec.handler.slice(0, dot)}.js`);
  return { file, exportName: spec.handler.slice(dot + 1) };
}

/** SAMPLES fresh processes of function `name`, each loading its bundle and invoking it once. */
async function measureFunction(
  name: string,
  spec: FunctionSpec,
  caller: Caller,
  env: NodeJS.ProcessEnv,
  yardsticks: Yardsticks,
): Promise<ColdStartRow> {
  const { file, exportName } = bundleOf(name, spec);
  const { event, isHttp, webSocketRoute } = eventFor(name, spec, caller);
  const drivers = driversIn(file);
  const samples: Sample[] = [];
  const paired: Sample[] = [];
  for (let i = 0; i < SAMPLES; i += 1) {
    const cookies = isHttp ? { cookies: [`sid=${await caller.sessionFor(name)}`] } : {};
    if (webSocketRoute && webSocketRoute !== '$connect') await caller.openTheConnection();
    const own = () =>
      sample(file, exportName, {
        ...env,
        COLD_EVENT: JSON.stringify({ ...event, ...cookies }),
        COLD_CONTEXT: JSON.stringify({
          ...lambdaContext(name),
          getRemainingTimeInMillis: undefined,
        }),
      });
    // Back to back, in alternating order: whatever the one before leaves behind (warm caches,
    // a busy CPU) falls on the function and its yardstick alike.
    if (i % 2 === 0) {
      paired.push(yardsticks.sampleOne(drivers));
      samples.push(own());
    } else {
      samples.push(own());
      paired.push(yardsticks.sampleOne(drivers));
    }
  }
  return {
    name,
    drivers,
    kb: zipKb(name),
    load: median(samples.map((s) => s.loadMs)),
    init: median(samples.map((s) => s.initMs)),
    yardstickInit: median(paired.map((s) => s.initMs)),
    ratio: median(samples.map((s, i) => s.initMs / (paired[i] as Sample).initMs)),
    first: median(samples.map((s) => s.firstMs)),
    sdks: sdksIn(file),
    status: [
      ...new Set(samples.map((s) => [s.status ?? 'done', s.answer].filter(Boolean).join(' '))),
    ].join('/'),
  };
}

async function main(): Promise<void> {
  mkdirSync(workDir, { recursive: true });
  const packagedIn = packageFunctions();
  const stackEnv = await startStack();
  Object.assign(process.env, stackEnv);
  resetConfig();
  const caller = await signedInTeacher();
  const yml = loadYaml(readFileSync(join(projectRoot, 'serverless.yml'), 'utf8')) as {
    functions: Record<string, FunctionSpec>;
  };
  const env = {
    ...process.env,
    ...stackEnv,
    LOG_LEVEL: 'error',
    // A scheduled run then finds little to do: the figure is the start-up, not the backlog.
    ANALYTICS_SETTLE_SECONDS: '3600',
  };
  const unknown = PROFILED.filter((name) => !yml.functions[name]);
  if (unknown.length)
    throw new Error(`BENCH_COLD_PROFILE: no such function: ${unknown.join(', ')}`);
  const yardsticks = new Yardsticks(env);
  yardsticks.round();

  const rows: ColdStartRow[] = [];
  const names = packagedFunctions().filter((n) => ONLY.length === 0 || ONLY.includes(n));
  for (const [index, name] of names.entries()) {
    const spec = yml.functions[name];
    if (!spec) continue;
    rows.push(await measureFunction(name, spec, caller, env, yardsticks));
    process.stdout.write(`\r${index + 1}/${names.length} functions`);
  }
  await forgetConnection(caller.connectionId);
  await Promise.all([closeMongo(), closeCassandra()]);
  closeDynamo();

  console.log(
    `\n\npackaged in ${packagedIn.toFixed(0)} s; medians of ${SAMPLES} fresh processes per function and ${yardsticks.sampleCount('none')} per yardstick, on ${cpuDescription()}`,
  );
  const checks = coldStartReport(rows, yardsticks);
  console.log(`chart: ${writeColdStartChart(rows)}`);
  reportChecks('cold-start', 'Cold start', checks);
  for (const name of PROFILED) {
    const { file } = bundleOf(name, yml.functions[name] as FunctionSpec);
    console.log(`\n${profileTable(name, profileLoad(file, env, 5))}`);
  }
}

main().then(
  () => process.exit(),
  (error: unknown) => {
    console.error('cold-start failed:', error);
    process.exit(1);
  },
);
