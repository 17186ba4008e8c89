import { cpus } from 'node:os';

/** "AMD EPYC (2 cores)": the machine a run's figures come from, as reports and charts name it. */
export function cpuDescription(): string {
  const cores = cpus();
  return `${cores[0]?.model.trim() ?? 'unknown CPU'} (${cores.length} cores)`;
}
