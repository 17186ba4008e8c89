/**
 * The yardsticks a function's start is measured against: a bundle of only the drivers it holds
 * (a hello-world for none). Each sample of a function is paired with one of its yardstick taken
 * back to back with it, so that the machine's mood at that moment weighs on both sides of the
 * ratio alike; rounds of every yardstick give the table its baseline.
 */
import { median } from '../../harness/latency';
import { type Sample, sample, yardstickBundle } from './bundles';
import { type Drivers, RATIO_BUDGET, SAMPLES } from './settings';

export class Yardsticks {
  private readonly bundles = new Map<Drivers, string>();
  private readonly samples = new Map<Drivers, Sample[]>();

  constructor(private readonly env: NodeJS.ProcessEnv) {
    for (const drivers of Object.keys(RATIO_BUDGET) as Drivers[]) {
      this.bundles.set(drivers, yardstickBundle(drivers));
      this.samples.set(drivers, []);
    }
  }

  /** SAMPLES fresh processes of each yardstick. */
  round(): void {
    for (const drivers of this.bundles.keys()) {
      for (let i = 0; i < SAMPLES; i += 1) this.sampleOne(drivers);
    }
  }

  /** One fresh process of `drivers`' yardstick, recorded with the others. */
  sampleOne(drivers: Drivers): Sample {
    const taken = sample(this.bundles.get(drivers) as string, 'handler', {
      ...this.env,
      COLD_EVENT: '{}',
      COLD_CONTEXT: '{}',
    });
    this.samples.get(drivers)?.push(taken);
    return taken;
  }

  /** Median module load time of `drivers`' yardstick, ms. */
  loadMs(drivers: Drivers): number {
    return median((this.samples.get(drivers) ?? []).map((s) => s.loadMs));
  }

  /** Median time from process start to `drivers`' yardstick loaded, ms. */
  initMs(drivers: Drivers): number {
    return median((this.samples.get(drivers) ?? []).map((s) => s.initMs));
  }

  sampleCount(drivers: Drivers): number {
    return this.samples.get(drivers)?.length ?? 0;
  }
}
