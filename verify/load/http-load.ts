/**
 * Load through serverless-offline: autocannon runs, and the warm-up that starts a function's
 * Lambda workers before a measured run (bursts, then a steady round).
 */
import autocannon, { type AutocannonRequest, type AutocannonResult } from 'autocannon';
import { request } from '../../harness/http-client';
import { threadCount, threadCounter } from '../../harness/procfs';
import type { OfflineServer } from '../../scripts/offline-server';
import type { Route } from './routes';
import {
  WARMUP_HEADROOM,
  WARMUP_MAX_REPEATS,
  WARMUP_STEADY_REQUESTS,
  WARMUP_STEP,
} from './settings';

export interface HttpRun {
  p50: number;
  p99: number;
  rps: number;
  requests: number;
  ok: number;
  non2xx: number;
  /** Socket errors and timeouts (autocannon counts timeouts among its errors). */
  errors: number;
  timeouts: number;
}

/**
 * autocannon against `url`; connection i sends its requests with session tokens[i % n]. `warmUp`:
 * a client timeout long enough for cold starts of workers on two busy cores.
 */
export async function cannon(
  url: string,
  requests: AutocannonRequest[],
  connections: number,
  tokens: string[],
  {
    duration,
    amount,
    warmUp = false,
  }:
    | { duration: number; amount?: undefined; warmUp?: boolean }
    | { duration?: undefined; amount: number; warmUp?: boolean },
): Promise<HttpRun> {
  let next = 0;
  const result: AutocannonResult = await autocannon({
    url,
    connections,
    ...(amount === undefined ? { duration } : { amount }),
    // Measured runs: the functions' 10 s timeout, so a hang counts.
    timeout: warmUp ? 120 : 10,
    requests,
    setupClient: (client) => {
      const cookie = `sid=${tokens[next % tokens.length]}`;
      next += 1;
      client.setRequests(requests.map((r) => ({ ...r, headers: { ...r.headers, cookie } })));
    },
  });
  return {
    p50: result.latency.p50,
    p99: result.latency.p99,
    rps: result.requests.average,
    requests: result.requests.total,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

/** Errors of a run; a run that completed no request at all (a jam) is all errors. */
export const failuresOf = (run: HttpRun) => run.non2xx + run.errors + (run.ok === 0 ? 1 : 0);

/**
 * The Lambda workers of `server`, read from its threads: each worker is one worker thread, i.e. one
 * OS thread, and the process had one worker (get-health's) when it became ready. `count()`: how many
 * there are now; `startedSince(snapshot)`: threads begun after a `snapshot()`, which a worker ended
 * and replaced in between cannot hide from.
 */
export function workerThreads(server: OfflineServer) {
  const pid = server.child.pid as number;
  return threadCounter(pid, threadCount(pid) - 1);
}
export type WorkerThreads = ReturnType<typeof workerThreads>;

/**
 * `n` requests of `route` sent at once (fetch opens a connection for each, none being idle):
 * serverless-offline's main thread hands them to workers within milliseconds, mostly before a
 * warm worker can answer and take another, so the function ends up with nearly `n` workers.
 * Returns how many failed (not counting a Lambda timeout, which serverless-offline answers 200).
 */
async function burst(url: string, route: Route, n: number, tokens: string[]): Promise<number> {
  const { method, path, headers, body } = route.request;
  const replies = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      request(url, method ?? 'GET', path ?? '/', {
        ...(headers ? { headers } : {}),
        cookie: `sid=${tokens[i % tokens.length]}`,
        ...(body === undefined ? {} : { body: String(body) }),
        timeoutMs: 120_000,
      })
        .then((reply) => reply.status >= 200 && reply.status < 300)
        // Refused, reset or timed out, before or while reading the body: a failed request.
        .catch(() => false),
    ),
  );
  return replies.filter((ok) => !ok).length;
}

/**
 * Warms every route for a run at `connections`. serverless-offline starts a Lambda worker whenever a
 * request finds all of the function's workers busy; on Lambda each new instance has a CPU of its
 * own, here all share two cores. A cold start begun beside 50 connections of load gets a sliver of
 * a core and takes 5 to over 10 s (module load, connects, first queries): past the function's
 * timeout, which ends the worker, so the next burst starts another, and so on. So the workers are
 * started with no other load, by bursts (see burst) of WARMUP_STEP, 2 × WARMUP_STEP, … requests up
 * to WARMUP_HEADROOM × `connections`, the last size repeated until a burst starts no worker: a few
 * cold starts at a time, as rising traffic would start them. A measured run has at most
 * `connections` requests in flight, fewer than the workers so started, as a rule. Then a steady
 * round at `connections`, a fixed number of requests (so none is still in flight when it ends),
 * fills pools and JITs. Workers started during a measured run are reported with it.
 */
export async function warmUp(
  server: OfflineServer,
  workers: WorkerThreads,
  list: Route[],
  connections: number,
  tokens: string[],
): Promise<string> {
  const started = performance.now();
  const notes = [];
  const target = Math.ceil(connections * WARMUP_HEADROOM);
  const sizes = [];
  for (let size = WARMUP_STEP; size < target; size += WARMUP_STEP) sizes.push(size);
  sizes.push(target);
  for (const route of list) {
    const before = workers.snapshot();
    let failed = 0;
    const done: number[] = [];
    for (const size of sizes) {
      failed += await burst(server.url, route, size, tokens);
      done.push(size);
    }
    for (let again = 1; again <= WARMUP_MAX_REPEATS; again++) {
      const last = workers.snapshot();
      failed += await burst(server.url, route, target, tokens);
      done.push(target);
      if (workers.startedSince(last) === 0) break;
    }
    const byBursts = workers.startedSince(before);
    const steadyBefore = workers.snapshot();
    const steady = connections * WARMUP_STEADY_REQUESTS;
    const run = await cannon(server.url, [route.request], connections, tokens, {
      amount: steady,
      warmUp: true,
    });
    failed += failuresOf(run);
    notes.push(
      `${byBursts} workers started by bursts of ${done.join(', ')}, ${workers.startedSince(steadyBefore)} by ${steady} steady requests; ${failed} failed requests; ${workers.count()} workers`,
    );
  }
  return `${((performance.now() - started) / 1000).toFixed(0)} s (${notes.join('; ')})`;
}
