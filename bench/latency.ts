/** Latency sampling shared by the storage benchmarks. */

export const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number;

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
