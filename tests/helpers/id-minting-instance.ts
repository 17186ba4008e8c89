/**
 * One simulated instance for the uniqueness test, run as a worker thread: it leases a worker slot
 * from the shared table (through MessageIdSource, exactly as a Lambda would), mints ids as fast as
 * it can for the time the test gives it, then hands every id back as 64-bit binary (transferred,
 * not copied: 8 bytes an id, where strings would take ~7 times the memory).
 *
 * Protocol: posts {type: 'ready'}; receives a MintingPlan; posts MintingReport (or a failure).
 */
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../../lib/config';
import { closeDynamo, withDynamo } from '../../lib/db/dynamo';
import { MessageIdSource } from '../../lib/ids/message-id-source';

export interface MintingPlan {
  type: 'start';
  /** Identity in the lease table; undefined = the default (pid, random hex and thread id). */
  identity?: string;
  /** Wall-clock ms of the first mint (which leases the slot: instances race for slots then). */
  startAt: number;
  /** How long to mint, in ms: after the first id, or after the barrier opens. */
  mintMs: number;
  /**
   * Instances that must all hold a lease before any of them goes on minting: a shared counter
   * each increments after its first id. Keeps them minting concurrently even when some wait long
   * for their first lease on a busy machine.
   */
  barrier?: { counter: Int32Array; parties: number };
  leaseMs: number;
  safetyMarginMs: number;
}

export type MintingReport =
  | {
      type: 'done';
      identity: string;
      /** Ids in minting order, `count` of them spread over the chunks (the last one partly used). */
      chunks: BigUint64Array[];
      count: number;
      /** Wall-clock ms when the first id was minted: startAt + the time the first lease took. */
      firstIdAt: number;
    }
  | { type: 'failed'; identity: string | undefined; error: string };

const CHUNK = 1 << 18; // 2 MiB of ids per chunk
/** Ids between two reads of the wall clock that ends the run. */
const IDS_PER_CHECK = 256;

const BARRIER_POLL_MS = 5;

const port = parentPort;
if (!port) throw new Error('id-minting-instance runs as a worker thread');

/** Counts this instance in, then waits (without spinning) until every party has. */
async function passBarrier({ counter, parties }: NonNullable<MintingPlan['barrier']>) {
  Atomics.add(counter, 0, 1);
  while (Atomics.load(counter, 0) < parties) {
    await new Promise((resolve) => setTimeout(resolve, BARRIER_POLL_MS));
  }
}

async function mint(plan: MintingPlan): Promise<MintingReport> {
  const source = new MessageIdSource({
    ...(plan.identity === undefined ? {} : { identity: plan.identity }),
    leaseMs: plan.leaseMs,
    safetyMarginMs: plan.safetyMarginMs,
  });
  const chunks: BigUint64Array[] = [];
  let chunk = new BigUint64Array(CHUNK);
  let used = 0;
  let count = 0;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, plan.startAt - Date.now())));
  chunk[used] = await source.next();
  used += 1;
  count += 1;
  const firstIdAt = Date.now();
  if (plan.barrier) await passBarrier(plan.barrier);
  const stopAt = Date.now() + plan.mintMs;
  while (Date.now() < stopAt) {
    for (let i = 0; i < IDS_PER_CHECK; i += 1) {
      if (used === CHUNK) {
        chunks.push(chunk);
        chunk = new BigUint64Array(CHUNK);
        used = 0;
      }
      chunk[used] = await source.next();
      used += 1;
      count += 1;
    }
  }
  chunks.push(chunk);
  return { type: 'done', identity: source.lease.identity, chunks, count, firstIdAt };
}

// Linux applies setpriority(pid 0) to the calling thread only: this minting loop yields the CPU to
// dynalite and the test itself, which must keep answering lease renewals on a small machine.
setPriority(19);

port.once('message', (plan: MintingPlan) => {
  mint(plan)
    .then(
      (report) => {
        const buffers = report.type === 'done' ? report.chunks.map((c) => c.buffer) : [];
        port.postMessage(report, buffers as ArrayBuffer[]);
      },
      (error: unknown) => {
        const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        port.postMessage({ type: 'failed', identity: plan.identity, error: text });
      },
    )
    .finally(() => {
      closeDynamo();
      port.close();
    });
});
/**
 * One read of the lease table before reporting ready: the first DynamoDB call of a thread loads
 * and compiles most of the SDK (~100 ms of CPU), which on a small machine shared by 76 threads
 * would otherwise stretch the race for slots over many seconds. A warm Lambda has done this too.
 */
async function warmUp(): Promise<void> {
  await withDynamo((dynamo) =>
    dynamo.send(
      new GetCommand({ TableName: config().dynamo.workerLeasesTable, Key: { slot: -1 } }),
    ),
  );
}

// A failed warm-up is an unhandled rejection, which ends the thread with an 'error' event: the
// test reports it as a failed instance.
warmUp().then(() => port.postMessage({ type: 'ready' }));
