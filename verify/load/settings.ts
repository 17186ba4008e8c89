/** The load item's settings (environment variables with defaults) and its figure formats. */
import { join } from 'node:path';
import { percentile } from '../../lib/analytics/formulas';
import { verifyDir } from '../report';

const seconds = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};
export const LOAD_SECONDS = seconds('BENCH_LOAD_SECONDS', 30);
/** Longer than any one server's runs: no worker is ended (and cold-started again) mid-run. */
export const IDLE_WORKER_SECONDS = 900;
/**
 * Warm-up (see warmUp): burst sizes' step, headroom over the run's connections, how often the
 * largest burst may be repeated, and the steady round's requests per connection.
 */
export const WARMUP_STEP = 10;
export const WARMUP_HEADROOM = 1.2;
export const WARMUP_MAX_REPEATS = 4;
export const WARMUP_STEADY_REQUESTS = 20;
export const INPROCESS_SECONDS = seconds('BENCH_INPROCESS_SECONDS', 5);
export const CONNECTIONS_SECONDS = seconds('BENCH_CONNECTIONS_SECONDS', 120);
export const MIXED_CONNECTIONS = seconds('BENCH_MIXED_CONNECTIONS', 10);
export const CONNECTION_COUNTS = [10, 50] as const;
/**
 * For a look at one route (BENCH_LOAD_ROUTES=users/me: names containing any of the comma-separated
 * parts) or at the load runs alone (BENCH_LOAD_MIXED=0). A filtered run reports what it measured.
 */
export const ROUTE_FILTER = (process.env.BENCH_LOAD_ROUTES ?? '').split(',').filter(Boolean);
export const RUN_MIXED = process.env.BENCH_LOAD_MIXED !== '0';
/** The mixed run's first seconds start workers and fill pools: RSS is compared after them. */
export const RSS_WARMUP_SECONDS = 20;
/** Seconds at the start (after warm-up) and at the end whose RSS medians are compared. */
export const RSS_WINDOW_SECONDS = 20;
export const RSS_GROWTH_BUDGET = 0.1;
/** serverless-offline's output, a file per server (load-offline-<n>.log), for reading afterwards. */
export const offlineLog = (name: string) => join(verifyDir, `load-offline-${name}.log`);
export const HISTORY_MESSAGES = 300;
export const QUESTIONS = 10;
export const STUDENTS = 4;
/** A Mongo client's connections besides its pool: the server monitor and its RTT pinger. */
export const MONGO_MONITOR_CONNECTIONS = 2;

export const ms = (value: number) => (value < 10 ? value.toFixed(2) : value.toFixed(1));
export const percent = (share: number) => `${(share * 100).toFixed(0)} %`;
export const median = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  ) ?? Number.NaN;
