/** The handler's storage work made in this process at a given concurrency, for comparison. */
import { percentile } from '../../lib/analytics/formulas';

export interface InProcessRun {
  p50: number;
  p99: number;
  ops: number;
  errors: number;
  firstError?: string;
}

/** `concurrency` loops calling `op` back to back for `duration` seconds. */
export async function inProcessLoad(
  concurrency: number,
  duration: number,
  op: (loop: number) => Promise<unknown>,
): Promise<InProcessRun> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const deadline = performance.now() + duration * 1_000;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, loop) => {
      while (performance.now() < deadline) {
        const started = performance.now();
        try {
          await op(loop);
          latencies.push(performance.now() - started);
        } catch (error) {
          // Counted and reported (a check fails on it), not hidden.
          errors += 1;
          firstError ??= (error as Error).message;
        }
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return {
    p50: percentile(latencies, 50) ?? Number.NaN,
    p99: percentile(latencies, 99) ?? Number.NaN,
    ops: latencies.length / duration,
    errors,
    ...(firstError ? { firstError } : {}),
  };
}
