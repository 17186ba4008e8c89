/**
 * verify:cold-start's chart: each function's start over its yardstick's (the figure its budget
 * is on), as a bar with its budget marked across it, highest first.
 */
import { barChartSvg, runCaption, writeChartSvg } from '../../harness/svg-chart';
import { startRatio } from './report';
import { type ColdStartRow, RATIO_BUDGET, SAMPLES } from './settings';

/** Writes bench/charts/cold-start.svg from the run's rows; returns its path. */
export function writeColdStartChart(rows: readonly ColdStartRow[], date = new Date()) {
  const bars = [...rows]
    .map((r) => ({
      label: `${r.name} (${r.drivers})`,
      value: startRatio(r),
      budget: RATIO_BUDGET[r.drivers].each,
    }))
    .sort((a, b) => b.value - a.value);
  return writeChartSvg(
    'cold-start',
    barChartSvg({
      title: `Cold start: each function's start over its yardstick's (a bundle of only its drivers)`,
      caption: `npm run verify:cold-start, medians of ${SAMPLES} fresh processes, ${runCaption(date)}`,
      value: { title: 'start, process start to module loaded, over the yardstick (x)' },
      category: { title: 'function (drivers in its bundle)' },
      bars,
      width: 820,
    }),
  );
}
