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
 * barely moved (bench/RESULTS.md, cold start).
 *
 * Two budgets per group of functions with the same drivers, because one function's ratio, a
 * median of 10 pairs, still spreads about ±0.12 on a 2-core machine (35 near-identical Mongoose
 * bundles: 0.96-1.28x in one run): `typical`, on the median over the group, where that noise
 * averages out, holds what every function carries (the HTTP stack, zod, config) tight; `each`, on
 * every function, leaves room for the noise and still catches one function that loads a large
 * thing the others do not. Set from the runs in bench/RESULTS.md: group medians 1.23-1.30x (no
 * driver; the higher on a machine made twice as slow), 1.12-1.13x (Mongoose), 1.10x (both, with
 * the yardstick loading cassandra-driver on first use); single functions up to 1.42x, 1.37x and
 * 1.16x.
 */
export const RATIO_BUDGET = {
  none: { typical: 1.4, each: 1.6 },
  cassandra: { typical: 1.2, each: 1.4 },
  mongoose: { typical: 1.2, each: 1.4 },
  'mongoose+cassandra': { typical: 1.2, each: 1.4 },
} as const;
export type Drivers = keyof typeof RATIO_BUDGET;
/** The fewest functions whose median is held to `typical` (fewer: `each` alone). */
export const TYPICAL_MIN_GROUP = 5;

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
