/**
 * bench:messages' chart: the latest page's read latency against the channel's history depth, for
 * each message store, p50 solid and p99 dashed. Log scales on both axes: the stores differ by
 * orders of magnitude locally (FerretDB scans where MongoDB would use the index), and a flat
 * line is what "the page cost does not grow with history" looks like.
 */
import { type LineSeries, lineChartSvg, runCaption, writeChartSvg } from '../../harness/svg-chart';

export interface HistoryLatency {
  /** The store's kind, as BENCH_STORES names it. */
  store: string;
  /** Messages in the channel. */
  messages: number;
  p50: number;
  p99: number;
}

const STORE_NAMES: Record<string, string> = {
  cassandra: 'Cassandra',
  mongo: 'MongoDB store (FerretDB locally)',
};

/** Writes bench/charts/history-latency.svg; returns its path. */
export function writeHistoryLatencyChart(rows: readonly HistoryLatency[], date = new Date()) {
  const stores = [...new Set(rows.map((r) => r.store))];
  const series = stores.flatMap((store, index): LineSeries[] => {
    const of = rows.filter((r) => r.store === store).sort((a, b) => a.messages - b.messages);
    const name = STORE_NAMES[store] ?? store;
    return [
      { name, colorIndex: index, points: of.map((r) => [r.messages, r.p50]) },
      {
        name,
        colorIndex: index,
        dashed: true,
        points: of.map((r) => [r.messages, r.p99]),
      },
    ];
  });
  return writeChartSvg(
    'history-latency',
    lineChartSvg({
      title: 'Latest history page (50 messages): read latency against history depth',
      caption: `npm run bench:messages, ${runCaption(date)}`,
      x: { title: 'messages in the channel (log scale)', log: true },
      y: { title: 'read latency (ms, log scale): p50 solid, p99 dashed', log: true },
      series,
    }),
  );
}
