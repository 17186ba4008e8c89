/**
 * verify:load's chart: warm HTTP latency through serverless-offline against the number of
 * concurrent connections, per route, p50 solid and p99 dashed in the route's colour.
 */
import { type LineSeries, lineChartSvg, runCaption, writeChartSvg } from '../../harness/svg-chart';

export interface WarmLatency {
  route: string;
  connections: number;
  p50: number;
  p99: number;
}

/** Writes bench/charts/warm-latency.svg; returns its path. */
export function writeWarmLatencyChart(
  runs: readonly WarmLatency[],
  { seconds }: { seconds: number },
  date = new Date(),
) {
  const routes = [...new Set(runs.map((r) => r.route))];
  const series = routes.flatMap((route, index): LineSeries[] => {
    const of = runs.filter((r) => r.route === route).sort((a, b) => a.connections - b.connections);
    return [
      { name: route, colorIndex: index, points: of.map((r) => [r.connections, r.p50]) },
      {
        name: route,
        colorIndex: index,
        dashed: true,
        points: of.map((r) => [r.connections, r.p99]),
      },
    ];
  });
  return writeChartSvg(
    'warm-latency',
    lineChartSvg({
      title: 'Warm latency through serverless-offline by concurrency',
      caption: `npm run verify:load, ${seconds} s per run, ${runCaption(date)}`,
      x: { title: 'concurrent connections' },
      y: { title: 'HTTP latency (ms): p50 solid, p99 dashed' },
      series,
      height: 500,
    }),
  );
}
