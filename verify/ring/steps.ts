/**
 * The three steps of verify:ring, each a sequence of phases marked on the clock while the load
 * runs: (1) one node stopped and started again, (2) two nodes stopped, then one back, then the
 * other, (3) a rolling restart of all three. Nodes are stopped as an operator stops one: SIGTERM,
 * on which Cassandra drains and announces its shutdown to the others.
 */
import { RING_ADDRESSES, startRingNode, stopRingNode } from '../../scripts/stack/ring';
import { type PhaseClock, recovery, type Sample } from './phases';

/** How long nodes stay down in steps 1 and 2. */
const DOWN_MS = Number(process.env.RING_DOWN_MS ?? 30_000);
/** Load after each change, so every phase has a steady reference. */
const STEADY_MS = Number(process.env.RING_STEADY_MS ?? 15_000);
/** The message store must answer again within this after a second node is back. */
export const RECOVERY_LIMIT_MS = 60_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const nodeName = (index: number) => `node ${index + 1} (${RING_ADDRESSES[index]})`;

export interface Recovery {
  step: number;
  what: string;
  /** undefined: it did not happen within the limit. */
  ms: number | undefined;
}

/** Starts node `index` again and records how long it took to be UN. Returns when it was. */
async function restart(index: number, step: number, recoveries: Recovery[]): Promise<number> {
  const begun = performance.now();
  await startRingNode(index);
  const at = performance.now();
  recoveries.push({ step, what: `${nodeName(index)}: start until UN`, ms: at - begun });
  return at;
}

export async function stepOne(clock: PhaseClock, recoveries: Recovery[]): Promise<void> {
  clock.mark(`1: stopping ${nodeName(0)}`, 1, 'ok');
  await stopRingNode(0);
  clock.mark(`1: ${nodeName(0)} down`, 1, 'ok');
  await sleep(DOWN_MS);
  clock.mark(`1: ${nodeName(0)} starting`, 1, 'ok');
  await restart(0, 1, recoveries);
  clock.mark('1: after, three nodes', 1, 'ok');
  await sleep(STEADY_MS);
}

/**
 * Waits until every message route succeeds again for a request sent at or after `since`, for at
 * most RECOVERY_LIMIT_MS after `from` (when the node was UN).
 */
async function waitForRecovery(samples: readonly Sample[], since: number, from: number) {
  const deadline = from + RECOVERY_LIMIT_MS;
  for (;;) {
    const state = recovery(samples, since);
    if (state.at !== undefined || performance.now() > deadline) return state;
    await sleep(250);
  }
}

export async function stepTwo(
  clock: PhaseClock,
  recoveries: Recovery[],
  samples: readonly Sample[],
): Promise<void> {
  clock.mark(`2: stopping ${nodeName(1)} and ${nodeName(2)}`, 2, 'transition');
  await Promise.all([stopRingNode(1), stopRingNode(2)]);
  clock.mark('2: two nodes down', 2, 'unavailable');
  await sleep(DOWN_MS);
  clock.mark(`2: ${nodeName(1)} starting`, 2, 'transition');
  const begun = performance.now();
  const up = await restart(1, 2, recoveries);
  clock.mark(`2: ${nodeName(1)} UN, until every route answers`, 2, 'transition');
  const { at: recovered, missing } = await waitForRecovery(samples, begun, up);
  const still = missing.length ? ` (no success yet: ${missing.join(', ')})` : '';
  recoveries.push({
    step: 2,
    what: `message routes answer again, from the node start begun${still}`,
    ms: recovered === undefined ? undefined : recovered - begun,
  });
  recoveries.push({
    step: 2,
    what: `message routes answer again, from the node UN (negative: before)${still}`,
    ms: recovered === undefined ? undefined : recovered - up,
  });
  clock.mark('2: after, two nodes', 2, 'ok');
  await sleep(STEADY_MS);
  clock.mark(`2: ${nodeName(2)} starting`, 2, 'ok');
  await restart(2, 2, recoveries);
  clock.mark('2: after, three nodes', 2, 'ok');
  await sleep(STEADY_MS);
}

export async function stepThree(clock: PhaseClock, recoveries: Recovery[]): Promise<void> {
  for (const index of RING_ADDRESSES.keys()) {
    clock.mark(`3: stopping ${nodeName(index)}`, 3, 'ok');
    await stopRingNode(index);
    clock.mark(`3: ${nodeName(index)} restarting`, 3, 'ok');
    await restart(index, 3, recoveries);
    clock.mark(`3: after ${nodeName(index)}`, 3, 'ok');
    await sleep(STEADY_MS / 3);
  }
}
