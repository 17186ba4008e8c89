/**
 * Numeric ids from the `counters` collection, as the original had them (API compatibility).
 *
 * On MongoDB, `findOneAndUpdate` with `$inc` and upsert is atomic: every caller gets its own value.
 * FerretDB 1.x (our local engine) executes it as a read followed by a separate write, so concurrent
 * callers can get the same value, and a slow writer can even move the counter back (measured:
 * 200 parallel increments ended at 19). The one operation every engine makes atomic is an insert
 * against a unique index, so each value is also claimed by inserting `<name>:<n>` into
 * `counter_claims`. On MongoDB the claim always succeeds first time (one extra small insert per
 * entity created); elsewhere a lost claim moves the counter past the values seen taken (and now
 * and then past the highest claim) and retries.
 *
 * A block of n ids (nextIds) is one `$inc` by n and one unordered batch of n claims: a value is
 * the caller's exactly when its claim was inserted, so blocks that overlap on a non-atomic engine
 * share no id; the values lost to others are allocated again the same way.
 */
import { CounterClaimModel, CounterModel, type SequenceName } from '../../../shared/mongo-schema';
import { isDuplicateKey } from './duplicate-key';
import { insertNew } from './insert-new';

/** Enough for hundreds of concurrent callers on a non-atomic engine; never reached on MongoDB. */
const MAX_ATTEMPTS = 200;

/** Thrown when no id could be claimed (a pathological engine or a broken counter). */
export class IdAllocationError extends Error {
  override readonly name = 'IdAllocationError';
}

/** Adds `by` to the counter; its value after. */
async function increment(name: SequenceName, by: number): Promise<number> {
  try {
    const counter = await CounterModel.findOneAndUpdate(
      { _id: name },
      { $inc: { seq: by } },
      { upsert: true, returnDocument: 'after', lean: true },
    );
    if (!counter) throw new IdAllocationError(`counter ${name} returned nothing`);
    return counter.seq;
  } catch (error) {
    // Two first-ever increments can both try to insert the counter; the loser retries.
    if (isDuplicateKey(error)) return increment(name, by);
    throw error;
  }
}

/** Moves the counter to at least `value`. */
async function raise(name: SequenceName, value: number): Promise<void> {
  await CounterModel.updateOne({ _id: name }, { $max: { seq: value } });
}

/** Moves the counter to at least the highest value ever claimed (a read of the claims' index). */
async function repair(name: SequenceName): Promise<void> {
  const top = await CounterClaimModel.findOne({ name }, { n: 1 }).sort({ n: -1 }).lean();
  if (top) await raise(name, top.n);
}

/**
 * Lost claims in a row after which the counter is moved past the highest claim, not just past
 * the values seen taken: a slow writer on a non-atomic engine can have set it far back. Rarely
 * more often, as the highest claim is a scan of every claim on FerretDB (an indexed read on
 * MongoDB, where no claim is ever lost).
 */
const REPAIR_EVERY = 4;

/** The next id of sequence `name`: unique across all callers, starting at 1. */
export async function nextId(name: SequenceName): Promise<number> {
  const [id] = await nextIds(name, 1);
  return id as number;
}

/**
 * `count` ids of sequence `name` in one counter step and one batch of claims (more only when a
 * concurrent caller took some of the values): unique across all callers, ascending, usually
 * consecutive.
 */
export async function nextIds(name: SequenceName, count: number): Promise<number[]> {
  const ids: number[] = [];
  let lossesInARow = 0;
  for (let attempt = 0; attempt < MAX_ATTEMPTS && ids.length < count; attempt += 1) {
    const wanted = count - ids.length;
    const top = await increment(name, wanted);
    const claims = Array.from({ length: wanted }, (_, i) => {
      const n = top - wanted + 1 + i;
      return { _id: `${name}:${n}`, name, n };
    });
    const taken = new Set((await insertNew(CounterClaimModel, claims)).map((claim) => claim.n));
    ids.push(...claims.filter((claim) => !taken.has(claim.n)).map((claim) => claim.n));
    if (taken.size === 0) {
      lossesInARow = 0;
    } else if (++lossesInARow % REPAIR_EVERY === 0) {
      await repair(name);
    } else {
      // Usually another caller read the same counter value and wrote the same next one: the
      // counter is already at `top`; this only undoes a slow writer that set it back below.
      await raise(name, top);
    }
  }
  if (ids.length < count) {
    throw new IdAllocationError(
      `could not allocate ${count} ids for ${name} in ${MAX_ATTEMPTS} attempts`,
    );
  }
  return ids.sort((a, b) => a - b);
}
