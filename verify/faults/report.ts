/**
 * The faults report: status codes per phase and route, each route's recovery, the slow or failed
 * requests with their causes from the server's log, and the checks.
 */
import {
  errorChain,
  type FailureLine,
  failureWithId,
  requestFailures,
  serverErrorCauses,
} from '../../harness/offline-log';
import type { EngineName } from '../../scripts/stack/settings';
import { type Check, reportChecks } from '../report';
import type { MessageFigures } from './messages';
import {
  CLIENT_TIMEOUT_MS,
  FAILURES_SHOWN,
  HANG_MS,
  NEEDS,
  OFFLINE_LOG,
  OK_STATUS,
  type Phase,
  RECOVERY_LIMIT_MS,
  type Recovery,
  ROUTE_LABEL,
  type RouteName,
  type Sample,
  type Stall,
  seconds,
} from './scenario';

export interface Results extends MessageFigures {
  samples: Sample[];
  phases: Phase[];
  recoveries: Recovery[];
  relogins: number;
  engines: EngineName[];
  totalSeconds: number;
  /** performance.now() when serverless-offline was started: the offsets in OFFLINE_LOG count from it. */
  origin: number;
  stalls: Stall[];
  offlineOutput: string;
}

const routes = Object.keys(ROUTE_LABEL) as RouteName[];
const statusLabel = (s: Sample) => (s.status === 0 ? 'error' : String(s.status));
const phaseOf = (r: Results, s: Sample) =>
  r.phases.find((p) => s.startedAt >= p.from && s.startedAt < p.to) ?? r.phases.at(-1);
const inside = (p: Phase) => (s: Sample) => s.startedAt >= p.from && s.startedAt + s.ms <= p.to;
/** The request duration at fraction `q` of all, in ms. */
function quantile(samples: Sample[], q: number): number {
  const byMs = [...samples].sort((a, b) => a.ms - b.ms);
  return byMs[Math.min(byMs.length - 1, Math.floor(q * byMs.length))]?.ms ?? 0;
}

/** Why a failed request failed: the server's error and its causes, where the server logs one. */
function failureCause(failures: FailureLine[], sample: Sample): string {
  if (sample.error) return sample.error;
  if (sample.status < 500) return 'a 4xx (not logged at LOG_LEVEL=error)';
  const entry = failureWithId(failures, sample.requestId);
  if (!entry) return 'not in the server log';
  return errorChain(entry);
}

function countBy(samples: Sample[]): string {
  const counts = new Map<string, number>();
  for (const s of samples) counts.set(statusLabel(s), (counts.get(statusLabel(s)) ?? 0) + 1);
  return [...counts]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, n]) => `${status}: ${n}`)
    .join(', ');
}

function printPhases(r: Results): void {
  console.log('\n### Status codes per phase and route (by request start)\n');
  console.log(`| phase | length | ${routes.map((route) => ROUTE_LABEL[route]).join(' | ')} |`);
  console.log(`|---|---|${routes.map(() => '---').join('|')}|`);
  for (const phase of r.phases) {
    const inPhase = r.samples.filter((s) => phaseOf(r, s) === phase);
    console.log(
      `| ${phase.name} | ${seconds(phase.to - phase.from)} s | ${routes.map((route) => countBy(inPhase.filter((s) => s.route === route)) || '-').join(' | ')} |`,
    );
  }
}

function printRecoveries(r: Results): void {
  console.log(
    '\n### Recovery after each restart (first 2xx of each route that needs the engine)\n',
  );
  console.log('| engine | restart took | route | from restart begun | from restart done |');
  console.log('|---|---|---|---|---|');
  for (const rec of r.recoveries) {
    for (const [route, fromBegun] of rec.fromStartBegun) {
      const fromDone = rec.fromStartDone.get(route);
      console.log(
        `| ${rec.engine} | ${seconds(rec.startMs)} s | ${ROUTE_LABEL[route]} | ${fromBegun === undefined ? 'never' : `${seconds(fromBegun)} s`} | ${fromDone === undefined ? 'never' : `${seconds(fromDone)} s`} |`,
      );
    }
  }
}

/** The load in one line, the load generator's stalls, and the first slow or failed requests. */
function printRequests(r: Results): void {
  console.log(
    `\n${r.samples.length} requests in ${seconds((r.phases.at(-1)?.to ?? 0) - (r.phases[0]?.from ?? 0))} s of load; p50 ${quantile(r.samples, 0.5).toFixed(0)} ms, p99 ${quantile(r.samples, 0.99).toFixed(0)} ms, max ${quantile(r.samples, 1).toFixed(0)} ms; ${r.acknowledged} messages acknowledged, ${r.stored} in the channels' histories, ${r.unacknowledged} sends not acknowledged (${r.unacknowledgedStored} of them stored anyway); ${r.relogins} sign-ins again after a 401; whole run ${r.totalSeconds.toFixed(0)} s`,
  );
  for (const stall of r.stalls) {
    const phase = r.phases.find((p) => stall.at >= p.from && stall.at < p.to);
    console.log(
      `load generator frozen ${stall.ms.toFixed(0)} ms, from ${seconds(stall.at - (phase?.from ?? 0))} s into "${phase?.name}" (+${seconds(stall.at - r.origin)} s)`,
    );
  }
  const odd = r.samples.filter(
    (s) => s.ms > HANG_MS || s.status === 0 || (s.status >= 500 && s.status !== 503),
  );
  for (const s of odd.slice(0, 20)) {
    const phase = phaseOf(r, s) as Phase;
    console.log(
      `slow or failed: ${ROUTE_LABEL[s.route]} ${statusLabel(s)} in ${s.ms.toFixed(0)} ms, started ${seconds(s.startedAt - phase.from)} s into "${phase.name}" (+${seconds(s.startedAt - r.origin)} s in ${OFFLINE_LOG}) ${s.error ?? ''}`,
    );
  }
}

function hangCheck(r: Results): Check {
  const slow = r.samples.filter((s) => s.ms > HANG_MS || s.status === 0);
  return {
    name: `no request over ${HANG_MS / 1000} s and no transport error/timeout (client timeout ${CLIENT_TIMEOUT_MS / 1000} s)`,
    ok: slow.length === 0,
    detail: `${r.samples.filter((s) => s.ms > HANG_MS).length} over ${HANG_MS / 1000} s, ${r.samples.filter((s) => s.status === 0).length} transport errors, of ${r.samples.length}; max ${quantile(r.samples, 1).toFixed(0)} ms`,
  };
}

/** While `engine` was down: the routes that need it answer only 503, the others keep working. */
function downChecks(r: Results, engine: EngineName): Check[] {
  const down = r.phases.find((p) => p.engine === engine && p.kind === 'down') as Phase;
  const during = r.samples.filter(inside(down));
  const needing = during.filter((s) => NEEDS[s.route].includes(engine));
  const others = during.filter((s) => !NEEDS[s.route].includes(engine));
  return [
    {
      name: `${engine} down: routes that need it answer only 503 (counted: requests started and finished while it was stopped)`,
      ok: needing.length > 0 && needing.every((s) => s.status === 503),
      detail: routes
        .filter((route) => NEEDS[route].includes(engine))
        .map((route) => `${route} ${countBy(needing.filter((s) => s.route === route)) || 'none'}`)
        .join('; '),
    },
    {
      name: `${engine} down: routes that do not need it keep succeeding`,
      ok: others.length > 0 && others.every((s) => s.status === OK_STATUS[s.route]),
      detail: routes
        .filter((route) => !NEEDS[route].includes(engine))
        .map((route) => `${route} ${countBy(others.filter((s) => s.route === route)) || 'none'}`)
        .join('; '),
    },
  ];
}

/** After `engine`'s restart: every route that needs it recovers, and stays recovered. */
function recoveryCheck(r: Results, engine: EngineName, failures: FailureLine[]): Check {
  const rec = r.recoveries.find((x) => x.engine === engine);
  const after = r.phases.find((p) => p.engine === engine && p.kind === 'after') as Phase;
  const relapses = rec?.recoveredAt
    ? r.samples.filter(
        (s) =>
          s.startedAt > (rec.recoveredAt as number) &&
          // Answered before the next engine was stopped: a request caught by that stop is not
          // a relapse of this engine.
          s.startedAt + s.ms <= after.to &&
          s.status !== OK_STATUS[s.route] &&
          // dynalite's restart ended the sessions (in memory): a 401 is the sign-in again.
          !(engine === 'dynamodb' && s.status === 401),
      )
    : [];
  const worstOf = (times: Map<RouteName, number | undefined>) =>
    Math.max(...[...times.values()].map((v) => v ?? Number.NaN));
  const worst = rec ? worstOf(rec.fromStartDone) : Number.NaN;
  const worstBegun = rec ? worstOf(rec.fromStartBegun) : Number.NaN;
  return {
    name: `${engine} restarted: every route that needs it succeeds again within ${RECOVERY_LIMIT_MS / 1000} s, and stays so, without restarting serverless-offline`,
    ok: rec?.recoveredAt !== undefined && relapses.length === 0,
    detail: rec?.recoveredAt
      ? `${seconds(worst)} s after startStack returned (${seconds(worstBegun)} s after it was called; the engine's start took ${seconds(rec.startMs)} s); ${relapses.length} failures afterwards${relapses
          .slice(0, FAILURES_SHOWN)
          .map(
            (s) =>
              `; ${ROUTE_LABEL[s.route]} ${statusLabel(s)} ${seconds(s.startedAt - (rec.recoveredAt as number))} s after recovery (${failureCause(failures, s)})`,
          )
          .join('')}`
      : 'not recovered',
  };
}

function serverErrorCheck(r: Results, failures: FailureLine[]): Check {
  const otherServerErrors = r.samples.filter((s) => s.status >= 500 && s.status !== 503);
  // dynalite keeps its tables in memory: between its restart answering and startStack creating the
  // tables again, DynamoDB says ResourceNotFoundException (500). DynamoDB itself never loses a
  // table, so those are told apart, each by its own line in the server's log, from 500s of any
  // other cause.
  const causes = serverErrorCauses(failures);
  const dynaliteStart = r.phases.find((p) => p.engine === 'dynamodb' && p.kind === 'starting');
  const tablesMissing = dynaliteStart
    ? otherServerErrors.filter(
        (s) =>
          s.status === 500 &&
          s.startedAt >= dynaliteStart.from &&
          s.startedAt < dynaliteStart.to + 1_000 &&
          failureWithId(failures, s.requestId)?.error?.name === 'ResourceNotFoundException',
      )
    : [];
  const unexplained = otherServerErrors.filter((s) => !tablesMissing.includes(s));
  return {
    name: 'no 5xx other than 503 at any time (apart from 500s while the restarted in-memory dynalite has no tables yet)',
    ok: unexplained.length === 0,
    detail: `${unexplained.length ? countBy(unexplained) : '0'} of ${r.samples.length}${unexplained
      .slice(0, FAILURES_SHOWN)
      .map((s) => ` (${ROUTE_LABEL[s.route]} ${statusLabel(s)}: ${failureCause(failures, s)})`)
      .join(
        '',
      )}; ${tablesMissing.length} answered 500 while dynalite's tables were being recreated; server log 5xx causes: ${[...causes].map(([name, n]) => `${name} ${n}`).join(', ') || 'none'}`,
  };
}

function messageChecks(r: Results): Check[] {
  return [
    {
      name: 'every message acknowledged with 201 is in its channel history with its content',
      ok: r.lost.length === 0 && r.duplicateIds === 0 && r.acknowledged > 0,
      detail: `${r.lost.length} lost of ${r.acknowledged} acknowledged${r.duplicateIds ? `, ${r.duplicateIds} duplicate ids` : ''}`,
    },
    {
      name: 'no message stored twice or from nowhere',
      ok: r.duplicatedSends === 0 && r.strays === 0,
      detail: `${r.duplicatedSends} stored twice, ${r.strays} stored but never sent; ${r.unacknowledgedStored} of ${r.unacknowledged} unacknowledged sends were stored (allowed: the client was told 503, not 201)`,
    },
  ];
}

export function report(r: Results): void {
  const failures = requestFailures(r.offlineOutput);
  printPhases(r);
  printRecoveries(r);
  printRequests(r);
  const checks: Check[] = [hangCheck(r)];
  for (const engine of r.engines) {
    checks.push(...downChecks(r, engine), recoveryCheck(r, engine, failures));
  }
  checks.push(serverErrorCheck(r, failures), ...messageChecks(r));
  reportChecks('faults', 'Faults under load', checks);
}
