/**
 * The delivery report: one row per step (the figures a table or a chart is drawn from), the
 * checks, and a markdown section to paste into bench/RESULTS.md.
 */
import { markdownTable } from '../../harness/markdown-table';
import { machine } from '../../harness/procfs';
import { type Check, reportChecks } from '../report';
import type { Step } from './send';
import { ms, offlineLog, p, SENDER_RATIO_GOAL } from './settings';

/** One step's figures (delivery latency in ms, rates in events/s). */
export interface StepRow {
  step: Step;
  p50: number;
  p99: number;
  max: number;
  /** POST /api/messages p50, ms. */
  post: number;
  fanOutMs: number;
  /** Events/s per fan-out invocation, from its log line. */
  logRate: number;
  /** Events/s seen by the clients (subscribers / last arrival after the answer). */
  clientRate: number;
  missing: number;
  failedSends: number;
  unlogged: number;
}

export function stepRow(step: Step): StepRow {
  const latencies = step.sends.flatMap((s) => s.latencies);
  const lines = step.sends.flatMap((s) => (s.fanOut ? [s.fanOut] : []));
  const logRates = lines.map((l) => (l.sent / Math.max(l.durationMs, 1)) * 1000);
  return {
    step,
    p50: p(latencies, 0.5),
    p99: p(latencies, 0.99),
    max: Math.max(...latencies),
    post: p(
      step.sends.map((s) => s.postMs),
      0.5,
    ),
    fanOutMs: p(
      lines.map((l) => l.durationMs),
      0.5,
    ),
    logRate: p(logRates, 0.5),
    clientRate: p(
      step.sends.map((s) => s.clientRate),
      0.5,
    ),
    missing: step.sends.reduce((a, s) => a + s.missing, 0),
    failedSends: lines.reduce((a, l) => a + l.failed + l.gone, 0),
    unlogged: step.sends.length - lines.length,
  };
}

const COLUMNS = [
  'subscribers',
  'messages',
  'delivery p50 ms',
  'delivery p99 ms',
  'max ms',
  'POST /api/messages p50 ms',
  'fan-out durationMs p50',
  'events/s per fan-out (its log)',
  'events/s (client side)',
  'missing events',
];

const deliveryTable = (rows: StepRow[]) =>
  markdownTable(
    COLUMNS,
    rows.map((r) => [
      r.step.subscribers,
      r.step.sends.length,
      ms(r.p50),
      ms(r.p99),
      ms(r.max),
      ms(r.post),
      ms(r.fanOutMs),
      r.logRate.toFixed(0),
      r.clientRate.toFixed(0),
      r.missing,
    ]),
  );

/** The sender's cost at the largest step, p50 to "live" over p50 to "quiet": a check and its text. */
function senderCost(largest: StepRow | undefined): { text: string; check?: Check } {
  if (!largest?.step.quiet.length) return { text: 'not measured' };
  const quietP50 = p(
    largest.step.quiet.map((s) => s.postMs),
    0.5,
  );
  const ratio = largest.post / quietP50;
  const text = `${ratio.toFixed(2)} (p50 ${ms(largest.post)} ms with ${largest.step.subscribers} subscribers, ${ms(quietP50)} ms with 0; ${largest.step.sends.length} + ${largest.step.quiet.length} sends, alternated)`;
  console.log(
    `\nsender's cost, POST /api/messages p50 at ${largest.step.subscribers} / at 0 subscribers: ${text}`,
  );
  return {
    text,
    check: {
      name: `sender's cost: POST /api/messages p50 at ${largest.step.subscribers} subscribers / at 0 <= ${SENDER_RATIO_GOAL}`,
      ok: ratio <= SENDER_RATIO_GOAL,
      detail: text,
    },
  };
}

export function report(steps: Step[], seconds: number): void {
  const rows = steps.map(stepRow);
  const table = deliveryTable(rows);
  console.log(`\n${table}`);
  const checks: Check[] = rows.map((r) => ({
    name: `every subscriber gets every message at ${r.step.subscribers} subscribers`,
    ok: r.missing === 0 && r.failedSends === 0 && r.unlogged === 0,
    detail: `${r.step.sends.length} messages × ${r.step.subscribers}: ${r.missing} missing, ${r.failedSends} failed or gone sends, ${r.unlogged} fan-outs without a log line; delivery p50 ${ms(r.p50)} ms, p99 ${ms(r.p99)} ms; fan-out ${r.logRate.toFixed(0)} events/s (log), ${r.clientRate.toFixed(0)} (client)`,
  }));
  const cost = senderCost(rows.at(-1));
  if (cost.check) checks.push(cost.check);
  const opened = steps
    .map((s) => `up to ${s.subscribers} in ${s.openSeconds.toFixed(1)} s`)
    .join(', ');
  const markdown = [
    `### Live chat delivery (\`npm run bench:realtime\`), ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `${machine()}; serverless-offline with LOG_LEVEL=info, FAN_OUT_CONCURRENCY ${process.env.FAN_OUT_CONCURRENCY || 'default (50)'}; run took ${seconds.toFixed(0)} s (time to open and subscribe each step's new connections: ${opened}).`,
    '',
    table,
    '',
    `Sender's cost (POST /api/messages p50 at the largest step over p50 to a channel with no subscribers, alternated): ${cost.text}.`,
    '',
  ].join('\n');
  // For bench/RESULTS.md, printed rather than written to a file of its own.
  console.log(`\n${markdown}\nserverless-offline output: ${offlineLog}`);
  reportChecks('realtime', 'Live chat delivery over the WebSocket API', checks);
}
