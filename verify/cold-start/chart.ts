/**
 * verify:cold-start's chart: each function's module load time over hello-world's (the figure its
 * budget is on), as a bar with its budget marked across it, slowest first.
 */
import { barChartSvg, runCaption, writeChartSvg } from '../../harness/svg-chart';
import { BUDGET_MS, type ColdStartRow, SAMPLES } from './settings';

/** Writes bench/charts/cold-start.svg from the run's rows; returns its path. */
export function writeColdStartChart(
  rows: readonly ColdStartRow[],
  helloMs: number,
  date = new Date(),
) {
  const bars = [...rows]
    .sort((a, b) => b.load - a.load)
    .map((r) => ({
      label: `${r.name} (${r.drivers})`,
      value: r.load - helloMs,
      budget: BUDGET_MS[r.drivers],
    }));
  return writeChartSvg(
    'cold-start',
    barChartSvg({
      title: `Cold start: module load over hello-world (${helloMs.toFixed(1)} ms), per function`,
      caption: `npm run verify:cold-start, medians of ${SAMPLES} fresh processes, ${runCaption(date)}`,
      value: { title: 'load time over hello-world (ms)' },
      category: { title: 'function (drivers in its bundle)' },
      bars,
      width: 820,
    }),
  );
}
