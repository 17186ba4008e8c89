/**
 * The cold-start table and checks: each function's start over its yardstick's (the budget, a
 * ratio), with the milliseconds beside it.
 */
import { median } from '../../harness/latency';
import { markdownHeader } from '../../harness/markdown-table';
import type { Check } from '../report';
import {
  type ColdStartRow,
  type Drivers,
  RATIO_BUDGET,
  SAMPLES,
  TYPICAL_MIN_GROUP,
} from './settings';
import type { Yardsticks } from './yardsticks';

/** A function's start over its yardstick's, the median of its pairs: the figure its budget is on. */
export const startRatio = (row: ColdStartRow) => row.ratio;

/** Prints the table (fastest first) and returns the checks: each driver group's budget, answers. */
export function coldStartReport(rows: ColdStartRow[], yardsticks: Yardsticks): Check[] {
  printYardsticks(yardsticks);
  console.log(
    markdownHeader([
      'function',
      'drivers',
      'SDKs it may load on first use',
      'zip',
      'load',
      'over hello-world',
      'start',
      'over its yardstick',
      'budget',
      'first invocation',
      'status',
    ]),
  );
  const helloMs = yardsticks.loadMs('none');
  for (const row of rows.sort((a, b) => a.load - b.load)) {
    const ratio = startRatio(row);
    const budget = RATIO_BUDGET[row.drivers].each;
    console.log(
      `| ${row.name} | ${row.drivers} | ${row.sdks} | ${row.kb.toLocaleString('en')} KB | ${row.load.toFixed(1)} ms | ${(row.load - helloMs).toFixed(1)} ms | ${row.init.toFixed(1)} ms | ${ratio.toFixed(2)}x | ${ratio <= budget ? 'ok' : 'OVER'} (${budget}x) | ${row.first.toFixed(1)} ms | ${row.status} |`,
    );
  }
  const checks = (Object.keys(RATIO_BUDGET) as Drivers[]).flatMap((drivers) =>
    groupCheck(drivers, rows, yardsticks),
  );
  checks.push({
    name: 'first invocations answered (no 5xx, no WebSocket INTERNAL error)',
    ok: rows.every((r) => !/\b5\d\d\b|INTERNAL|SERVICE_UNAVAILABLE/.test(r.status)),
    detail: `statuses: ${[...new Set(rows.flatMap((r) => r.status.split('/')))].sort().join(', ')}`,
  });
  const within = rows.filter((r) => startRatio(r) <= RATIO_BUDGET[r.drivers].each);
  console.log(`\n${within.length} of ${rows.length} functions within budget`);
  return checks;
}

function printYardsticks(yardsticks: Yardsticks): void {
  console.log(markdownHeader(['yardstick (a bundle of only)', 'load', 'start', 'samples']));
  for (const drivers of Object.keys(RATIO_BUDGET) as Drivers[]) {
    console.log(
      `| ${drivers === 'none' ? 'hello-world' : drivers} | ${yardsticks.loadMs(drivers).toFixed(1)} ms | ${yardsticks.initMs(drivers).toFixed(1)} ms | ${yardsticks.sampleCount(drivers)} |`,
    );
  }
  console.log('');
}

/** One group's checks: its median ratio within `typical`, every function's within `each`. */
function groupCheck(drivers: Drivers, rows: ColdStartRow[], yardsticks: Yardsticks): Check[] {
  const group = rows.filter((r) => r.drivers === drivers);
  if (group.length === 0) return [];
  const budget = RATIO_BUDGET[drivers];
  const ratios = group.map((r) => startRatio(r));
  const typical = median(ratios);
  const over = group.filter((r) => startRatio(r) > budget.each);
  const name = drivers === 'none' ? 'hello-world' : `bare ${drivers}`;
  const which = `${drivers === 'none' ? 'no driver' : drivers} (${group.length} functions)`;
  const each: Check = {
    name: `each function's start over ${name}, ${which} <= ${budget.each}x`,
    ok: over.length === 0,
    detail: `${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}x (medians of ${SAMPLES} pairs)${over.length ? `; over: ${over.map((r) => `${r.name} ${startRatio(r).toFixed(2)}x`).join(', ')}` : ''}`,
  };
  // A median of a few functions is as noisy as one function's ratio: no tight budget on it.
  if (group.length < TYPICAL_MIN_GROUP) return [each];
  return [
    {
      name: `typical start over ${name}, ${which}: the median <= ${budget.typical}x`,
      ok: typical <= budget.typical,
      detail: `${typical.toFixed(2)}x (${name} starts in ${yardsticks.initMs(drivers).toFixed(1)} ms; the functions in ${Math.min(...group.map((r) => r.init)).toFixed(1)}-${Math.max(...group.map((r) => r.init)).toFixed(1)} ms)`,
    },
    each,
  ];
}
