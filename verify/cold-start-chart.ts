/**
 * verify:cold-start's chart: each function's module load time over hello-world's (the figure its
 * budget is on), as a bar with its budget marked across it, slowest first.
 */
import { barChartSvg, runCaption, writeChartSvg } from '../harness/svg-chart';

export interface ColdStartLoad {
  name: string;
  /** The drivers in its bundle, which decide its budget. */
  drivers: string;
  /** Median load time over hello-world's, ms. */
  overheadMs: number;
  budgetMs: number;
}

/** Writes bench/charts/cold-start.svg; returns its path. */
export function writeColdStartChart(
  rows: readonly ColdStartLoad[],
  { helloMs, samples }: { helloMs: number; samples: number },
  date = new Date(),
) {
  const bars = [...rows]
    .sort((a, b) => b.overheadMs - a.overheadMs)
    .map((r) => ({ label: `${r.name} (${r.drivers})`, value: r.overheadMs, budget: r.budgetMs }));
  return writeChartSvg(
    'cold-start',
    barChartSvg({
      title: `Cold start: module load over hello-world (${helloMs.toFixed(1)} ms), per function`,
      caption: `npm run verify:cold-start, medians of ${samples} fresh processes, ${runCaption(date)}`,
      value: { title: 'load time over hello-world (ms)' },
      category: { title: 'function (drivers in its bundle)' },
      bars,
      width: 820,
    }),
  );
}
