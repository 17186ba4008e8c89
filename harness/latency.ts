/** Latency figures shared by the benchmarks and the verification items. */

/** The value at fraction `p` (0..1) of ascending `sorted`: index floor(n × p), capped at the last. */
export const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number;

/** The median of `values` (any order): the middle value, or the mean of the two middle ones. */
export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/** Runs `op` one call at a time, `reads` times or until `budgetMs` is spent; p50/p99 in ms. */
export async function latency(
  op: () => Promise<unknown>,
  { reads = 200, budgetMs = 30_000 }: { reads?: number; budgetMs?: number } = {},
): Promise<{ p50: number; p99: number; n: number }> {
  const samples: number[] = [];
  const started = performance.now();
  while (samples.length < reads && performance.now() - started < budgetMs) {
    const t = performance.now();
    await op();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 0.5), p99: percentile(samples, 0.99), n: samples.length };
}
