/**
 * Phase bookkeeping of verify:ring: which phase each request belongs to, what each phase expects
 * of it, and the figures per phase (p50/p99, failures). Pure, apart from PhaseClock's timestamps.
 */
import { percentile } from '../../harness/latency';

export type RouteName = 'send' | 'history' | 'read' | 'pin' | 'unpin' | 'delete' | 'control';

/** The answer each route gives when everything works (control: an unknown path, a JSON 404). */
export const OK_STATUS: Record<RouteName, number> = {
  send: 201,
  history: 200,
  read: 200,
  pin: 200,
  unpin: 200,
  delete: 204,
  control: 404,
};

/** A request slower than this is a hang, whatever it answered. */
export const HANG_MS = 5_000;

export interface Sample {
  route: RouteName;
  /** performance.now() when it was sent. */
  startedAt: number;
  ms: number;
  /** HTTP status, or 0 for a transport error or client timeout. */
  status: number;
  error?: string;
  /** The invocation id an error body names (its line in the server log says why). */
  requestId?: string;
  /** The error body's message (a 503 names the part of the service that is down). */
  message?: string;
}

/**
 * ok: every request gets its route's success status. unavailable: every request that needs the
 * message store (all but control) answers 503, and control still succeeds. transition: nodes are
 * changing state; 503s are allowed, other failures are not.
 */
export type Expectation = 'ok' | 'unavailable' | 'transition';

export interface Phase {
  name: string;
  /** 0: before and between the steps; 1-3: the steps of the run. */
  step: number;
  expect: Expectation;
  from: number;
  to: number;
}

/** Marks phases one after another; each ends where the next begins. */
export class PhaseClock {
  readonly phases: Phase[] = [];
  constructor(private readonly now: () => number = () => performance.now()) {}

  mark(name: string, step: number, expect: Expectation): Phase {
    const at = this.now();
    this.end(at);
    const phase: Phase = { name, step, expect, from: at, to: Number.POSITIVE_INFINITY };
    this.phases.push(phase);
    return phase;
  }

  /** Closes the current phase (at the end of the run). */
  end(at = this.now()): void {
    const last = this.phases.at(-1);
    if (last && last.to === Number.POSITIVE_INFINITY) last.to = at;
  }
}

/** The phase a request belongs to: the one it started in. */
export function phaseOf(phases: readonly Phase[], sample: Sample): Phase | undefined {
  return phases.find((p) => sample.startedAt >= p.from && sample.startedAt < p.to);
}

export const needsMessageStore = (route: RouteName) => route !== 'control';

/**
 * serverless-offline's own Lambda timeout (it answers a 200 with a LambdaTimeoutError body, which
 * the load records as 504). It starts its timer when the request arrives, before a worker is free
 * or has loaded the bundle; a handler that ran slow would instead have answered our own 503 (the
 * deadline middleware answers 500 ms before the timeout). So it says the emulator found no worker
 * in time on this machine, not that the message store failed: counted apart, and shown.
 */
export const isEmulatorTimeout = (sample: Sample) =>
  sample.status === 504 && sample.message === 'LambdaTimeoutError';

/** Why `sample` breaks its phase's expectation, or undefined when it keeps it. */
export function violation(phase: Phase, sample: Sample): string | undefined {
  if (isEmulatorTimeout(sample)) return undefined;
  if (sample.status === 0) return `transport error (${sample.error ?? 'no answer'})`;
  if (sample.ms > HANG_MS) return `answered ${sample.status} after ${sample.ms.toFixed(0)} ms`;
  const ok = OK_STATUS[sample.route];
  if (sample.status === ok) {
    // A success while only one node of three is up would be a write below LOCAL_QUORUM.
    return phase.expect === 'unavailable' && needsMessageStore(sample.route)
      ? `answered ${sample.status} with the message store below quorum`
      : undefined;
  }
  if (sample.status === 503 && phase.expect !== 'ok' && needsMessageStore(sample.route)) {
    return undefined;
  }
  return `answered ${sample.status}, expected ${ok}${phase.expect === 'ok' ? '' : ' or 503'}`;
}

/**
 * The requests a phase judges: those that started in it; in an unavailable phase only those that
 * also finished in it (one sent just before the nodes went down may still have succeeded).
 */
export function judged(phase: Phase, samples: readonly Sample[], next?: Phase): Sample[] {
  // A request still in flight when the next phase takes nodes away belongs to that change.
  const mustEnd = phase.expect === 'unavailable' || (next !== undefined && next.expect !== 'ok');
  return samples.filter(
    (s) =>
      s.startedAt >= phase.from &&
      s.startedAt < phase.to &&
      (!mustEnd || s.startedAt + s.ms <= phase.to),
  );
}

export interface PhaseFigures {
  phase: Phase;
  requests: number;
  failed: Sample[];
  /** How many answered 503. */
  unavailable: number;
  /** serverless-offline's Lambda timeouts (see isEmulatorTimeout). */
  emulatorTimeouts: number;
  p50: number;
  p99: number;
  max: number;
}

export function phaseFigures(phase: Phase, samples: readonly Sample[], next?: Phase): PhaseFigures {
  const mine = judged(phase, samples, next);
  const ms = mine.map((s) => s.ms).sort((a, b) => a - b);
  return {
    phase,
    requests: mine.length,
    failed: mine.filter((s) => violation(phase, s) !== undefined),
    unavailable: mine.filter((s) => s.status === 503).length,
    emulatorTimeouts: mine.filter(isEmulatorTimeout).length,
    p50: ms.length ? percentile(ms, 0.5) : Number.NaN,
    p99: ms.length ? percentile(ms, 0.99) : Number.NaN,
    max: ms.length ? (ms.at(-1) as number) : Number.NaN,
  };
}

/**
 * When every route that needs the message store first answered its success status for a request
 * sent at or after `since` (performance.now() time), or undefined while one has not.
 */
export function recoveredAt(samples: readonly Sample[], since: number): number | undefined {
  return recovery(samples, since).at;
}

/** recoveredAt, and the message routes that have not succeeded since `since`. */
export function recovery(samples: readonly Sample[], since: number) {
  const routes = (Object.keys(OK_STATUS) as RouteName[]).filter(needsMessageStore);
  let latest = since;
  const missing: RouteName[] = [];
  for (const route of routes) {
    const first = samples.find(
      (s) => s.route === route && s.startedAt >= since && s.status === OK_STATUS[route],
    );
    if (first) latest = Math.max(latest, first.startedAt + first.ms);
    else missing.push(route);
  }
  return { at: missing.length ? undefined : latest, missing };
}
