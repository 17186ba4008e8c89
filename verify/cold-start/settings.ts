/** The cold-start item's settings, and the serverless.yml fields it reads. */
import { join } from 'node:path';
import { localDir } from '../../scripts/stack/paths';

export const SAMPLES = Number(process.env.BENCH_COLD_SAMPLES ?? 10);
export const ONLY = (process.env.BENCH_COLD_FUNCTIONS ?? '').split(',').filter(Boolean);
export const workDir = join(localDir, 'cold-start');
export const BUDGET_MS = { none: 15, cassandra: 40, mongoose: 100 } as const;
export type Drivers = keyof typeof BUDGET_MS;

export interface FunctionSpec {
  handler: string;
  events?: {
    httpApi?: { method: string; path: string };
    websocket?: { route: string };
    schedule?: unknown;
  }[];
}

/** One function's figures: medians over its samples. */
export interface ColdStartRow {
  name: string;
  drivers: Drivers;
  kb: number;
  /** SDKs loaded on first use. */
  sdks: string;
  load: number;
  first: number;
  status: string;
}
