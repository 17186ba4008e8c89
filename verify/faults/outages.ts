/**
 * The outages: each engine stopped for DOWN_MS and restarted while the load runs, the phases marked
 * as they begin, and each route's recovery after the restart.
 */
import { startStack, stopStack } from '../../scripts/stack';
import type { EngineName } from '../../scripts/stack/settings';
import { type Load, waitForRecovery } from './load';
import { DOWN_MS, type Phase, type Recovery, STEADY_MS, seconds, sleep } from './scenario';

/** Ends the current phase now and begins `phase`. */
export function markPhase(phases: Phase[], phase: Omit<Phase, 'from' | 'to'>): void {
  const now = performance.now();
  const last = phases.at(-1);
  if (last) last.to = now;
  phases.push({ ...phase, from: now, to: Number.POSITIVE_INFINITY });
}

/** Stops and restarts `engine` under the load; returns how its routes recovered. */
async function outage(
  engine: EngineName,
  load: Load,
  phases: Phase[],
  userEnv: NodeJS.ProcessEnv,
): Promise<Recovery> {
  markPhase(phases, { name: `${engine} stopping`, engine, kind: 'stopping' });
  await stopStack([engine], undefined, userEnv);
  markPhase(phases, { name: `${engine} down`, engine, kind: 'down' });
  await sleep(DOWN_MS);
  markPhase(phases, { name: `${engine} starting`, engine, kind: 'starting' });
  const startBegun = performance.now();
  await startStack({ only: [engine], env: userEnv });
  const startDone = performance.now();
  markPhase(phases, { name: `after ${engine}`, engine, kind: 'after' });
  console.log(`${engine}: restart took ${seconds(startDone - startBegun)} s`);
  const firstSuccess = await waitForRecovery(load.samples, engine, startBegun);
  const since = (origin: number) =>
    new Map(
      [...firstSuccess].map(([route, at]) => [
        route,
        at === undefined ? undefined : Math.max(0, at - origin),
      ]),
    );
  const times = [...firstSuccess.values()];
  return {
    engine,
    startMs: startDone - startBegun,
    fromStartBegun: since(startBegun),
    fromStartDone: since(startDone),
    ...(times.every((t) => t !== undefined) ? { recoveredAt: Math.max(...times) } : {}),
  };
}

/** A baseline, then each engine's outage, each followed by STEADY_MS of load. */
export async function runOutages(
  engines: EngineName[],
  load: Load,
  phases: Phase[],
  userEnv: NodeJS.ProcessEnv,
): Promise<Recovery[]> {
  const recoveries: Recovery[] = [];
  markPhase(phases, { name: 'baseline', kind: 'baseline' });
  await sleep(STEADY_MS);
  for (const engine of engines) {
    recoveries.push(await outage(engine, load, phases, userEnv));
    await sleep(STEADY_MS);
  }
  return recoveries;
}
