/**
 * What serverless-offline's output says, read as it comes: the handler duration of each
 * invocation and the invocations that failed in the emulator, the fan-out function's figures, and
 * the error middleware's "request failed" lines (each 5xx with its request id and causes).
 */
import { percentile } from '../lib/analytics/formulas';
import type { OfflineServer } from '../scripts/offline-server';

/** Calls `read` with every chunk the server writes to stdout or stderr. */
function onOutput(server: OfflineServer, read: () => (chunk: Buffer) => void): void {
  server.child.stdout?.on('data', read());
  server.child.stderr?.on('data', read());
}

/** Everything the server writes from now on, as it came (joined, no chunk boundary cuts a line). */
export function collectOutput(server: OfflineServer): { text: () => string } {
  const chunks: string[] = [];
  onOutput(server, () => (chunk) => {
    chunks.push(chunk.toString());
  });
  return { text: () => chunks.join('') };
}

const ms = (value: number) => (value < 10 ? value.toFixed(2) : value.toFixed(1));

/**
 * Handler durations serverless-offline logs per invocation ("RequestId: … Duration: 12.34 ms",
 * not the Billed Duration after it) from now on: they tell time spent in a worker from time spent
 * waiting for one. And the invocations that failed in the emulator: a Lambda timeout or crash is
 * logged as "× <error>" and answered with status 200 (its HTTP API 2.0 path wraps the error
 * object as a body), so the client's count of 2xx cannot see it; API Gateway would answer 5xx.
 */
export function invocationLog(server: OfflineServer) {
  const durations: number[] = [];
  let lambdaTimeouts = 0;
  let failed = 0;
  let lastLine = performance.now();
  onOutput(server, () => (chunk) => {
    lastLine = performance.now();
    for (const match of chunk
      .toString()
      .matchAll(/RequestId: \S+\s+Duration: ([\d.]+) ms|^× (.*)$/gm)) {
      if (match[2] === undefined) durations.push(Number(match[1]));
      else {
        failed += 1;
        if (match[2].includes('Lambda timeout')) lambdaTimeouts += 1;
      }
    }
  });
  return {
    /** Clears what was collected so far (a warm-up's invocations). */
    reset() {
      durations.length = 0;
      lambdaTimeouts = 0;
      failed = 0;
    },
    /** Invocations that failed in the emulator (Lambda timeouts among them). */
    failed: () => failed,
    /** The longest handler duration so far, in ms (NaN before any). */
    max: () => (durations.length ? durations.reduce((a, b) => Math.max(a, b)) : Number.NaN),
    /** Resolves once the server has printed nothing for `ms` (its invocations have ended), or after 30 s. */
    async quiet(ms: number): Promise<void> {
      const deadline = performance.now() + 30_000;
      while (performance.now() - lastLine < ms && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, ms / 4));
      }
    },
    summary() {
      const sorted = [...durations].sort((a, b) => a - b);
      if (sorted.length === 0 && failed === 0) return 'no invocation log';
      return `handler p50 ${ms(percentile(sorted, 50) ?? Number.NaN)} ms, p99 ${ms(percentile(sorted, 99) ?? Number.NaN)} ms, max ${ms(sorted.at(-1) ?? Number.NaN)} ms over ${sorted.length} invocations, ${failed} failed invocations (${lambdaTimeouts} Lambda timeouts)`;
    },
  };
}
export type InvocationLog = ReturnType<typeof invocationLog>;

/** The realtime fan-out function's log line "fan-out": what one invocation sent and how fast. */
export interface FanOutLine {
  channelId: number;
  subscribers: number;
  sent: number;
  gone: number;
  failed: number;
  durationMs: number;
}

/** The fan-out lines the server logs from now on; `next` waits up to `timeoutMs` for one. */
export function fanOutLog(server: OfflineServer, timeoutMs: number) {
  const lines: FanOutLine[] = [];
  // A chunk may end mid-line: each stream keeps its unfinished line for the next chunk.
  onOutput(server, () => {
    let partial = '';
    return (chunk: Buffer) => {
      const all = (partial + chunk.toString()).split('\n');
      partial = all.pop() ?? '';
      for (const line of all) {
        const start = line.indexOf('{"level"');
        if (start < 0 || !line.includes('"message":"fan-out"')) continue;
        lines.push(JSON.parse(line.slice(start)) as FanOutLine);
      }
    };
  });
  return {
    /** How many lines so far: pass it to `next` to wait for one logged after now. */
    mark: () => lines.length,
    /** The first fan-out line of `channelId` from index `from` on. */
    async next(channelId: number, from: number): Promise<FanOutLine | undefined> {
      const deadline = performance.now() + timeoutMs;
      while (performance.now() < deadline) {
        const line = lines.slice(from).find((l) => l.channelId === channelId);
        if (line) return line;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return undefined;
    },
  };
}
export type FanOutLog = ReturnType<typeof fanOutLog>;

export type LoggedError = { name?: string; message?: string; cause?: LoggedError };
export interface FailureLine {
  requestId?: string;
  status?: number;
  error?: LoggedError;
}

/**
 * The "request failed" lines of serverless-offline's output: the error middleware logs every 5xx
 * so (lib/http/middleware/error-mapper.ts), with the request id and the error's causes.
 */
export function requestFailures(output: string): FailureLine[] {
  return output.split('\n').flatMap((line) => {
    const json = line.slice(line.indexOf('{'));
    if (!json.startsWith('{') || !json.includes('"request failed"')) return [];
    // Whole lines: the output is read joined, so no chunk boundary cuts one.
    return [JSON.parse(json) as FailureLine];
  });
}

/** Error names of the 5xx answers other than 503 that the functions logged, with their counts. */
export function serverErrorCauses(failures: FailureLine[]): Map<string, number> {
  const causes = new Map<string, number>();
  for (const entry of failures) {
    if (entry.status === undefined || entry.status === 503) continue;
    const name = entry.error?.name ?? 'unknown';
    causes.set(name, (causes.get(name) ?? 0) + 1);
  }
  return causes;
}

/** The log line of the failed request with id `requestId` (its error body names it). */
export function failureWithId(
  failures: FailureLine[],
  requestId: string | undefined,
): FailureLine | undefined {
  return failures.find((f) => f.requestId !== undefined && f.requestId === requestId);
}

/** A logged error and its causes, outermost first: "Name: message <- Cause: message". */
export function errorChain(entry: FailureLine): string {
  const chain: string[] = [];
  for (let error = entry.error; error; error = error.cause) {
    chain.push(`${error.name}: ${error.message}`);
  }
  return chain.join(' <- ');
}
