/**
 * npm run analytics [-- --settle-seconds N]: one compute-analytics run against the local stack (or
 * whatever is configured), to completion, printing its summary. The settle delay defaults to
 * ANALYTICS_SETTLE_SECONDS (60 s); `--settle-seconds 0` also counts attempts finished a moment
 * ago, fine while nothing else is writing.
 */
import { parseArgs } from 'node:util';
import { computeAnalytics } from '../lib/analytics/compute-job';
import { config, resetConfig } from '../lib/config';
import { closeMongo } from '../lib/db/mongo';
import { analyticsJobStore } from '../lib/storage';
import { startStack } from './stack';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'settle-seconds': { type: 'string' } } });
  const settle = values['settle-seconds'];
  if (settle !== undefined && !/^\d{1,4}$/.test(settle)) {
    throw new Error(`--settle-seconds must be a whole number of seconds, not ${settle}`);
  }
  const env = await startStack({ print: (line) => console.log(line) });
  Object.assign(process.env, env);
  resetConfig();
  const settleMs = settle === undefined ? config().analytics.settleMs : Number(settle) * 1000;
  const summary = await computeAnalytics({ store: analyticsJobStore, settleMs });
  console.log(
    `analytics: ${summary.processed} attempts read, ${summary.written} rows written, ${summary.skipped} skipped, ${summary.tests} tests' statistics, ${summary.durationMs} ms`,
  );
  await closeMongo();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('analytics failed:', error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
