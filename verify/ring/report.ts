/** verify:ring's figures (per phase, recoveries, read-back) and its checks. */
import { type Check, reportChecks } from '../report';
import type { ReadBack } from './ledger';
import { type FailureLine, failureCause, type NodeEvent } from './offline-log';
import {
  HANG_MS,
  isEmulatorTimeout,
  needsMessageStore,
  type Phase,
  type PhaseFigures,
  phaseFigures,
  phaseOf,
  type Sample,
  violation,
} from './phases';
import { RECOVERY_LIMIT_MS, type Recovery } from './steps';

/** The phase in which every function starts cold; shown, never judged. */
export const WARM_UP = 'warm-up';

export interface RingResults {
  phases: Phase[];
  samples: Sample[];
  recoveries: Recovery[];
  nodeEvents: NodeEvent[];
  failures: FailureLine[];
  readBack: ReadBack;
  acknowledged: number;
  unacknowledged: number;
  replication: Record<string, string>;
  totalSeconds: number;
}

const ms = (value: number) => (Number.isNaN(value) ? '-' : `${value.toFixed(0)} ms`);
const seconds = (value: number | undefined) =>
  value === undefined ? 'not within the limit' : `${(value / 1000).toFixed(1)} s`;
/** Failures named one by one in a check's detail; the rest are counted. */
const SHOWN = 5;

function describe(sample: Sample, phase: Phase, failures: readonly FailureLine[]): string {
  const why = violation(phase, sample) ?? 'ok';
  const cause = sample.status >= 500 ? ` (${failureCause(failures, sample.requestId)})` : '';
  return `${sample.route} ${why}${cause}`;
}

function phaseTable(r: RingResults, figures: PhaseFigures[]): string[] {
  const events = (p: Phase, kind: NodeEvent['kind']) =>
    r.nodeEvents.filter((e) => e.kind === kind && e.at >= p.from && e.at < p.to).length;
  return [
    '| phase | expects | length | requests | failed | 503 | emulator timeouts | p50 | p99 | max | driver: node down / up / resent |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...figures.map(
      (f) =>
        `| ${f.phase.name} | ${f.phase.expect} | ${seconds(f.phase.to - f.phase.from)} | ${f.requests} | ${f.failed.length} | ${f.unavailable} | ${f.emulatorTimeouts} | ${ms(f.p50)} | ${ms(f.p99)} | ${ms(f.max)} | ${events(f.phase, 'down')} / ${events(f.phase, 'up')} / ${events(f.phase, 'resent')} |`,
    ),
  ];
}

function recoveryTable(r: RingResults): string[] {
  return [
    '| step | what | time |',
    '|---|---|---|',
    ...r.recoveries.map((x) => `| ${x.step} | ${x.what} | ${seconds(x.ms)} |`),
  ];
}

/** No failure in any phase of `step` that expects every request to succeed. */
function stepCheck(step: number, figures: PhaseFigures[], r: RingResults, name: string): Check {
  const mine = figures.filter((f) => f.phase.step === step && f.phase.expect === 'ok');
  const failed = mine.flatMap((f) => f.failed.map((s) => describe(s, f.phase, r.failures)));
  const requests = mine.reduce((n, f) => n + f.requests, 0);
  return {
    name,
    ok: requests > 0 && failed.length === 0,
    detail: `${failed.length} failed of ${requests}${failed.length ? `: ${failed.slice(0, SHOWN).join('; ')}` : ''}`,
  };
}

function unavailableCheck(figures: PhaseFigures[], r: RingResults): Check {
  const down = figures.filter((f) => f.phase.expect === 'unavailable');
  const judged = down.flatMap((f) => r.samples.filter((s) => s.startedAt >= f.phase.from));
  const failed = down.flatMap((f) => f.failed.map((s) => describe(s, f.phase, r.failures)));
  const answered503 = down.reduce((n, f) => n + f.unavailable, 0);
  const unnamed = judged.filter(
    (s) => s.status === 503 && !(s.message ?? '').includes('message store'),
  ).length;
  return {
    name: `2 nodes of 3 down: every message route answers 503 naming the message store within ${HANG_MS / 1000} s, the control route still answers`,
    ok: answered503 > 0 && failed.length === 0 && unnamed === 0,
    detail: `${answered503} answered 503 (${unnamed} not naming the message store), ${failed.length} otherwise${failed.length ? `: ${failed.slice(0, SHOWN).join('; ')}` : ''}; max ${ms(Math.max(...down.map((f) => f.max)))}`,
  };
}

function recoveryCheck(figures: PhaseFigures[], r: RingResults): Check {
  const back = r.recoveries.find((x) => x.what.includes('from the node UN'));
  const transition = figures.filter((f) => f.phase.step === 2 && f.phase.expect === 'transition');
  const failed = transition.flatMap((f) => f.failed.map((s) => describe(s, f.phase, r.failures)));
  return {
    name: `2 nodes of 3 down, then one back: the message routes answer again within ${RECOVERY_LIMIT_MS / 1000} s, nothing of ours restarted, no failure but 503 meanwhile`,
    ok: back?.ms !== undefined && failed.length === 0,
    detail: `${seconds(back?.ms)} from the node being UN (negative: before every node held it NORMAL); ${failed.length} failures other than 503 while nodes changed${failed.length ? `: ${failed.slice(0, SHOWN).join('; ')}` : ''}`,
  };
}

function checks(r: RingResults, figures: PhaseFigures[]): Check[] {
  // The steps' phases: the warm-up and the baseline (three nodes up, no change) are shown in
  // the table; this check is about what the node changes do to requests.
  const measured = r.samples.filter((s) => (phaseOf(r.phases, s)?.step ?? 0) > 0);
  const slow = measured.filter((s) => !isEmulatorTimeout(s) && (s.ms > HANG_MS || s.status === 0));
  const emulator = measured.filter(isEmulatorTimeout).length;
  // The control route needs no database: when it is slow too, the machine stalled, not the store.
  const control = measured.filter((s) => s.route === 'control' && !isEmulatorTimeout(s));
  const stalls = control.filter((s) => s.ms > 2_000);
  const rb = r.readBack;
  return [
    {
      name: 'the keyspace has replication factor 3 in the ring’s data center',
      ok: r.replication.datacenter1 === '3',
      detail: JSON.stringify(r.replication),
    },
    stepCheck(1, figures, r, '1 node of 3 stopped and started again: 0 failed requests'),
    unavailableCheck(figures, r),
    recoveryCheck(figures, r),
    stepCheck(2, figures, r, '2 nodes back one after the other: 0 failed requests once 2 are up'),
    stepCheck(3, figures, r, 'rolling restart of all 3 nodes, one at a time: 0 failed requests'),
    {
      name: `no request over ${HANG_MS / 1000} s and no transport error, in steps 1-3 (serverless-offline's own Lambda timeouts counted apart)`,
      ok: slow.length === 0,
      detail: `${slow.length} of ${measured.length}; ${emulator} emulator timeouts; the control route (no database) over 2 s ${stalls.length} times, max ${ms(Math.max(0, ...control.map((s) => s.ms)))}${
        slow.length
          ? `: ${slow
              .slice(0, SHOWN)
              .map((s) => `${s.route} ${s.status} in ${ms(s.ms)}`)
              .join('; ')}`
          : ''
      }`,
    },
    {
      name: 'every acknowledged message read back once with its content; no deleted one back',
      ok:
        rb.expected > 0 &&
        rb.lost.length === 0 &&
        rb.duplicateIds === 0 &&
        rb.storedTwice === 0 &&
        rb.resurrected.length === 0 &&
        rb.strays === 0,
      detail: `${r.acknowledged} acknowledged (${rb.expected} kept, the rest deleted): ${rb.lost.length} lost, ${rb.duplicateIds} ids twice, ${rb.storedTwice} sends stored twice, ${rb.resurrected.length} deleted but back, ${rb.strays} from nowhere; ${r.unacknowledged} sends not acknowledged`,
    },
  ];
}

/** Prints the figures (the tables bench/RESULTS.md records) and reports the checks. */
export function report(r: RingResults): void {
  const figures = r.phases.map((p, i) => phaseFigures(p, r.samples, r.phases[i + 1]));
  const routes = new Set(r.samples.filter((s) => needsMessageStore(s.route)).map((s) => s.route));
  const lines = [
    `verify:ring, ${new Date().toISOString()}: ${r.samples.length} requests (${[...routes].join(', ')}, control) in ${r.totalSeconds.toFixed(0)} s`,
    '',
    ...phaseTable(r, figures),
    '',
    ...recoveryTable(r),
  ];
  console.log(`\n${lines.join('\n')}`);
  reportChecks('ring', 'Proof at scale: a three-node Cassandra ring', checks(r, figures));
}
