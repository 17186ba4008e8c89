/** The cold-start item's settings, and the serverless.yml fields it reads. */
import { join } from 'node:path';
import { localDir } from '../../scripts/stack/paths';

export const SAMPLES = Number(process.env.BENCH_COLD_SAMPLES ?? 10);
export const ONLY = (process.env.BENCH_COLD_FUNCTIONS ?? '').split(',').filter(Boolean);
/** Functions whose load is also profiled, module by module (cold-start/profile.ts). */
export const PROFILED = (process.env.BENCH_COLD_PROFILE ?? '').split(',').filter(Boolean);
export const workDir = join(localDir, 'cold-start');
/**
 * The budgets are ratios, not milliseconds: a function's start (process start to its module
 * loaded, what Lambda's init pays) over its yardstick's, a bundle of only the drivers it holds,
 * built and measured in the same run. Absolute milliseconds measured the machine: on a 2-core
 * Xeon every budget failed by the same margin the AMD runs met them with, while the ratios
 * barely moved (bench/RESULTS.md, cold start). The ratios come from those figures, with room
 * for the noise of a shared runner: what a function adds to its drivers (our code, zod/mini,
 * middy) must stay a small part of its start.
 */
export const RATIO_BUDGET = {
  none: 1.5,
  cassandra: 1.25,
  mongoose: 1.25,
  'mongoose+cassandra': 1.25,
} as const;
export type Drivers = keyof typeof RATIO_BUDGET;

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
  /** Median time to load its module, ms. */
  load: number;
  /** Median time from process start to its module loaded, ms. */
  init: number;
  /** The same for its yardstick, sampled back to back with each of its own samples, ms. */
  yardstickInit: number;
  /**
   * The median, over those pairs, of its start over its yardstick's: the figure its budget is on.
   * Each pair's ratio cancels what the machine was doing at that moment; the median drops pairs
   * that a burst of other work hit on one side only.
   */
  ratio: number;
  first: number;
  status: string;
}
