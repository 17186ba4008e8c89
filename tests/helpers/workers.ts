/**
 * Lambda workers started before a test sends a burst of concurrent requests.
 *
 * serverless-offline starts a worker (a cold start: bundle load, connects, session lookup) for
 * every request that finds all of the function's workers busy. On Lambda each instance has a CPU
 * of its own; here all of them share the machine's two cores, so sixteen cold starts at once took
 * longer than the function's 10 s timeout, and the emulator answered its crash body. A test of
 * concurrency wants concurrent requests to warm workers, not concurrent cold starts: the workers
 * are started a few at a time, as rising traffic would start them on Lambda.
 */

/** New workers started per round: few enough that each cold start gets a real share of a core. */
const NEW_WORKERS_PER_ROUND = 2;

/**
 * The time a test that starts up to 20 workers gets: the rounds are sequential cold starts, a few
 * seconds each on a busy machine, before the test's own requests.
 */
export const WARM_WORKERS_TEST_TIMEOUT_MS = 90_000;

/**
 * Sends rounds of `send()` at once, 2, 4, ... up to `workers`, each round after the last has
 * answered, so the function ends with about `workers` warm workers. `send` must be a request the
 * test does not count (another user's, say); its answers are returned for the caller to check.
 */
export async function startWorkers<T>(workers: number, send: () => Promise<T>): Promise<T[]> {
  const answers: T[] = [];
  for (let size = NEW_WORKERS_PER_ROUND; ; size += NEW_WORKERS_PER_ROUND) {
    const round = Math.min(size, workers);
    answers.push(...(await Promise.all(Array.from({ length: round }, send))));
    if (round === workers) return answers;
  }
}
