/**
 * The yardsticks a function's start is measured against: a bundle of only the drivers it holds
 * (a hello-world for none), sampled in rounds spread over the run so that the machine's mood
 * at one moment weighs on both sides of a ratio alike.
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
    for (const [drivers, bundle] of this.bundles) {
      for (let i = 0; i < SAMPLES; i += 1) {
        this.samples
          .get(drivers)
          ?.push(sample(bundle, 'handler', { ...this.env, COLD_EVENT: '{}', COLD_CONTEXT: '{}' }));
      }
    }
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
