/**
 * npm run verify:hostile: hostile input through serverless-offline.
 *
 * 1. schemathesis (from PyPI, pinned) generates requests for every operation of GET
 *    /api/openapi.json, valid and invalid ones, and checks each response: no 5xx
 *    (not_a_server_error) and the documented schema (response_schema_conformance: the success
 *    bodies of shared/response-schemas.ts, the error body; plus status codes and content types).
 *    Sessions: register and login end the session a request brings along, and logout ends it by
 *    design, so they cannot share the logged-in session of the other operations. Two runs:
 *    - "session": every operation but those three, with a registered teacher's `sid` cookie;
 *    - "auth": register, login and logout, with a session of their own (the first successful
 *      register, login or logout ends it; what follows runs as anonymous or as a new session).
 *    Login failures are many: the server runs with a high per-address limit (as the e2e tests do);
 *    the per-username limit stays as configured and answers 429, which the document allows.
 * 2. tests/e2e/hostile-input.test.ts (body size limits, deep nesting, NoSQL operators, bad limits and
 *    cursors, unicode and NUL, forged and truncated cookies) through vitest's e2e project.
 *
 * Figures come from schemathesis's NDJSON event report (one event per request and per check
 * result) and from vitest's JSON report. Budget: at least 2,000 requests, zero 5xx, zero schema
 * violations, every hostile-input test passing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { request, sessionCookieOf } from '../harness/http-client';
import { ensurePythonTool, runToolAsync } from '../harness/python-tool';
import { drivenServerSettings, type OfflineServer, startOffline } from '../scripts/offline-server';
import { startStack } from '../scripts/stack';
import { localDir, projectRoot } from '../scripts/stack/paths';
import { type Check, reportChecks } from './report';

const SCHEMATHESIS = 'schemathesis==4.32.5';
const TEACHER_CODE = 'hostile-teacher-code';
const MIN_REQUESTS = 2_000;
/** Test cases per operation and phase; with the coverage phase's own cases, > 2,000 requests. */
const MAX_EXAMPLES = Number(process.env.HOSTILE_MAX_EXAMPLES ?? 40);
const SEED = Number(process.env.HOSTILE_SEED ?? 7);
const AUTH_OPERATIONS = ['register', 'login', 'logout'];
const CHECKS = [
  'not_a_server_error',
  'response_schema_conformance',
  'status_code_conformance',
  'content_type_conformance',
];
const reportDir = join(localDir, 'verify', 'hostile');

/** Registers a teacher (a fresh one per call) and returns its session cookie, `sid=...`. */
async function sessionCookie(baseUrl: string, label: string): Promise<string> {
  const username = `hostile${label}${Date.now().toString(36)}`;
  const reply = await request(baseUrl, 'POST', '/api/auth/register', {
    body: {
      username,
      password: 'correct horse battery',
      name: 'Hostile Input',
      email: `${username}@example.test`,
      role: 'teacher',
      teacherCode: TEACHER_CODE,
    },
    // The first request of a fresh server starts the function's worker on a busy machine.
    timeoutMs: 120_000,
  });
  const cookie = sessionCookieOf(reply);
  if (reply.status !== 201 || !cookie) {
    const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    throw new Error(`register answered ${reply.status}: ${text}`);
  }
  return cookie;
}

interface RunFigures {
  run: string;
  /** Operations tested, and all the document has (schemathesis leaves out GET /api/openapi.json). */
  operations: number;
  operationsInDocument: number;
  requests: number;
  /** Requests by response status ("none": no response, e.g. a timeout). */
  statuses: Map<string, number>;
  serverErrors: number;
  /** Failed checks by check name. */
  failures: Map<string, number>;
  /** Transport errors (timeouts, resets) and other non-fatal errors schemathesis reported. */
  errors: number;
  /** A few failures, for the log: check, request, status. */
  examples: string[];
  seconds: number;
}

interface Interaction {
  request: { method: string; uri: string };
  response?: { status_code: number };
}
interface CheckResult {
  name: string;
  status: string;
  failure_info?: { failure: { title: string; message: string } };
}
interface ScenarioFinished {
  recorder: {
    label: string;
    interactions?: Record<string, Interaction>;
    checks?: Record<string, CheckResult[]>;
  };
}

/** Reads schemathesis's NDJSON events: one ScenarioFinished per scenario, with its requests. */
function readEvents(ndjson: string, figures: RunFigures): void {
  const operations = new Set<string>();
  for (const line of readFileSync(ndjson, 'utf8').split('\n')) {
    if (!line) continue;
    const event = JSON.parse(line) as {
      ScenarioFinished?: ScenarioFinished;
      NonFatalError?: object;
      LoadingFinished?: { statistic: { operations: { total: number } } };
    };
    if (event.LoadingFinished) {
      figures.operationsInDocument = event.LoadingFinished.statistic.operations.total;
    }
    if (event.NonFatalError) {
      figures.errors += 1;
      if (figures.examples.length < 10) figures.examples.push(JSON.stringify(event.NonFatalError));
    }
    const recorder = event.ScenarioFinished?.recorder;
    if (!recorder) continue;
    operations.add(recorder.label);
    for (const interaction of Object.values(recorder.interactions ?? {})) {
      figures.requests += 1;
      const status = interaction.response?.status_code;
      const key = status === undefined ? 'none' : String(status);
      figures.statuses.set(key, (figures.statuses.get(key) ?? 0) + 1);
      if (status !== undefined && status >= 500) figures.serverErrors += 1;
    }
    for (const [caseId, results] of Object.entries(recorder.checks ?? {})) {
      for (const result of results.filter((r) => r.status === 'failure')) {
        figures.failures.set(result.name, (figures.failures.get(result.name) ?? 0) + 1);
        const interaction = recorder.interactions?.[caseId];
        if (figures.examples.length < 10) {
          figures.examples.push(
            `${result.name}: ${interaction?.request.method} ${interaction?.request.uri} -> ${interaction?.response?.status_code} ${result.failure_info?.failure.message.slice(0, 300) ?? ''}`,
          );
        }
      }
    }
  }
  figures.operations = operations.size;
}

/** schemathesis's command line for one run over `select`, its NDJSON events to `ndjson`. */
function schemathesisArgs(baseUrl: string, cookie: string, ndjson: string, select: string[]) {
  return [
    'run',
    `${baseUrl}/api/openapi.json`,
    '--header',
    `Cookie: ${cookie}`,
    '--checks',
    CHECKS.join(','),
    '--phases',
    'examples,coverage,fuzzing',
    '--max-examples',
    String(MAX_EXAMPLES),
    '--seed',
    String(SEED),
    '--workers',
    '2',
    '--request-timeout',
    '20',
    '--suppress-health-check',
    'all',
    '--no-color',
    // Generated from the seed alone: no examples replayed from a database of earlier runs.
    '--generation-database',
    'none',
    '--report',
    'ndjson',
    '--report-ndjson-path',
    ndjson,
    ...select,
  ];
}

/** Runs schemathesis over the selected operations and reads its NDJSON events back. */
async function schemathesis(
  st: string,
  baseUrl: string,
  run: string,
  cookie: string,
  select: string[],
): Promise<RunFigures> {
  const ndjson = join(reportDir, `${run}.ndjson`);
  rmSync(ndjson, { force: true });
  const started = performance.now();
  // Run in the report folder: schemathesis keeps a cache folder where it runs.
  const result = await runToolAsync(
    st,
    schemathesisArgs(baseUrl, cookie, ndjson, select),
    reportDir,
  );
  const figures: RunFigures = {
    run,
    operations: 0,
    operationsInDocument: 0,
    requests: 0,
    statuses: new Map(),
    serverErrors: 0,
    failures: new Map(),
    errors: 0,
    examples: [],
    seconds: (performance.now() - started) / 1000,
  };
  readEvents(ndjson, figures);
  // Its summary (failures with curl commands to reproduce them), kept for whoever reads the log,
  // without its "=== … in 12.3s ===" banners: CI tooling reads such a line as a test runner's
  // closing line (pytest's form) and would take the run's test count from it.
  console.log(
    result.stdout
      .split('\n')
      .slice(-60)
      .map((line) => line.replace(/^=+\s*(.*?)\s*=+$/, 'schemathesis: $1'))
      .join('\n'),
  );
  if (result.status === null || figures.requests === 0) {
    throw new Error(`schemathesis ${run} did not run: ${result.stderr.slice(-2_000)}`);
  }
  return figures;
}

interface VitestReport {
  numTotalTests: number;
  numPassedTests: number;
  numFailedTests: number;
  testResults: { assertionResults: { fullName: string; status: string }[] }[];
}

/** tests/e2e/hostile-input.test.ts through vitest's e2e project (its own serverless-offline). */
function hostileInputTests(): { report: VitestReport | undefined; seconds: number } {
  const output = join(reportDir, 'vitest.json');
  rmSync(output, { force: true });
  const started = performance.now();
  const result = spawnSync(
    join(projectRoot, 'node_modules', '.bin', 'vitest'),
    [
      'run',
      '--project',
      'e2e',
      'tests/e2e/hostile-input.test.ts',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${output}`,
    ],
    { cwd: projectRoot, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (result.error) throw result.error;
  const seconds = (performance.now() - started) / 1000;
  return {
    report: existsSync(output)
      ? (JSON.parse(readFileSync(output, 'utf8')) as VitestReport)
      : undefined,
    seconds,
  };
}

const sum = (runs: RunFigures[], pick: (run: RunFigures) => number) =>
  runs.reduce((total, run) => total + pick(run), 0);
const failuresOf = (runs: RunFigures[], check: string) =>
  sum(runs, (run) => run.failures.get(check) ?? 0);
const perRun = (runs: RunFigures[], pick: (run: RunFigures) => number) =>
  runs.map((run) => `${run.run} ${pick(run).toLocaleString('en')}`).join(', ');

function printTables(runs: RunFigures[]): void {
  console.log(
    `\nschemathesis ${SCHEMATHESIS.split('==')[1]} (seed ${SEED}, max examples ${MAX_EXAMPLES})\n| run | operations | requests | 2xx | 4xx | 5xx | no response | schema violations | other failed checks | time |\n|---|---|---|---|---|---|---|---|---|---|`,
  );
  for (const run of runs) {
    const byClass = (digit: string) =>
      [...run.statuses].filter(([s]) => s.startsWith(digit)).reduce((n, [, c]) => n + c, 0);
    const other = [...run.failures]
      .filter(([name]) => name !== 'response_schema_conformance' && name !== 'not_a_server_error')
      .map(([name, count]) => `${name} ${count}`)
      .join(', ');
    console.log(
      `| ${run.run} | ${run.operations} | ${run.requests.toLocaleString('en')} | ${byClass('2')} | ${byClass('4')} | ${byClass('5')} | ${run.statuses.get('none') ?? 0} | ${run.failures.get('response_schema_conformance') ?? 0} | ${other || 0} | ${run.seconds.toFixed(0)} s |`,
    );
  }
  console.log('\n| status | requests |\n|---|---|');
  const statuses = new Map<string, number>();
  for (const run of runs)
    for (const [s, c] of run.statuses) statuses.set(s, (statuses.get(s) ?? 0) + c);
  for (const [status, count] of [...statuses].sort()) console.log(`| ${status} | ${count} |`);
  for (const run of runs)
    for (const example of run.examples) console.log(`  ${run.run}: ${example}`);
}

/** Both schemathesis runs against a serverless-offline of their own. */
async function generatedRequests(st: string): Promise<RunFigures[]> {
  const stackEnv = await startStack();
  let server: OfflineServer | undefined;
  const runs: RunFigures[] = [];
  try {
    server = await startOffline({
      ...stackEnv,
      LOG_LEVEL: 'error',
      ...drivenServerSettings(TEACHER_CODE),
    });
    const include = AUTH_OPERATIONS.flatMap((id) => ['--include-operation-id', id]);
    const exclude = AUTH_OPERATIONS.flatMap((id) => ['--exclude-operation-id', id]);
    const session = await sessionCookie(server.url, 's');
    runs.push(await schemathesis(st, server.url, 'session', session, exclude));
    // The session must have lasted the whole run, or the run tested 401s only.
    const still = await request(server.url, 'GET', '/api/users/me', {
      cookie: session,
      timeoutMs: 120_000,
    });
    if (still.status !== 200) throw new Error(`the session run's session ended (${still.status})`);
    runs.push(
      await schemathesis(st, server.url, 'auth', await sessionCookie(server.url, 'a'), include),
    );
  } finally {
    await server?.stop();
  }
  return runs;
}

function hostileChecks(runs: RunFigures[], e2e: ReturnType<typeof hostileInputTests>): Check[] {
  const failedTests = (e2e.report?.testResults ?? [])
    .flatMap((file) => file.assertionResults)
    .filter((test) => test.status === 'failed')
    .map((test) => test.fullName);
  const requests = sum(runs, (run) => run.requests);
  const serverErrors = sum(runs, (run) => run.serverErrors);
  const violations = failuresOf(runs, 'response_schema_conformance');
  const conformance = ['status_code_conformance', 'content_type_conformance'];
  return [
    {
      name: `schemathesis: >= ${MIN_REQUESTS.toLocaleString('en')} generated requests over every operation`,
      ok:
        requests >= MIN_REQUESTS &&
        sum(runs, (r) => r.operations) === runs[0]?.operationsInDocument,
      detail: `${requests.toLocaleString('en')} requests (${perRun(runs, (r) => r.requests)}) over ${sum(runs, (r) => r.operations)} of ${runs[0]?.operationsInDocument} operations (all but GET /api/openapi.json) in ${sum(runs, (r) => r.seconds).toFixed(0)} s`,
    },
    {
      name: 'schemathesis: zero 5xx',
      ok: serverErrors === 0 && failuresOf(runs, 'not_a_server_error') === 0,
      detail: `${serverErrors} 5xx responses`,
    },
    {
      name: 'schemathesis: zero responses violating the documented schema',
      ok: violations === 0,
      detail: `${violations} response_schema_conformance failures`,
    },
    {
      name: 'schemathesis: documented status codes and content types, no request without an answer',
      ok: conformance.every((c) => failuresOf(runs, c) === 0) && sum(runs, (r) => r.errors) === 0,
      detail: `${conformance.map((c) => `${c} ${failuresOf(runs, c)}`).join(', ')}; ${sum(runs, (r) => r.errors)} transport errors`,
    },
    {
      name: 'tests/e2e/hostile-input.test.ts: every case passes',
      ok:
        e2e.report !== undefined &&
        e2e.report.numFailedTests === 0 &&
        e2e.report.numPassedTests > 0,
      detail: e2e.report
        ? `${e2e.report.numPassedTests} of ${e2e.report.numTotalTests} tests held (${e2e.seconds.toFixed(0)} s)${failedTests.length ? `; failed: ${failedTests.join('; ')}` : ''}`
        : 'vitest wrote no report',
    },
  ];
}

async function main(): Promise<void> {
  mkdirSync(reportDir, { recursive: true });
  const st = ensurePythonTool(SCHEMATHESIS, 'st');
  const runs = await generatedRequests(st);
  printTables(runs);
  const e2e = hostileInputTests();
  reportChecks('hostile', 'Hostile input', hostileChecks(runs, e2e));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
