/**
 * Numeric ids from the `counters` collection, as the original had them (API compatibility).
 *
 * On MongoDB, `findOneAndUpdate` with `$inc` and upsert is atomic: every caller gets its own value.
 * FerretDB 1.x (our local engine) executes it as a read followed by a separate write, so concurrent
 * callers can get the same value, and a slow writer can even move the counter back (measured:
 * 200 parallel increments ended at 19). The one operation every engine makes atomic is an insert
 * against a unique index, so each value is also claimed by inserting `<name>:<n>` into
 * `counter_claims`. On MongoDB the claim always succeeds first time (one extra small insert per
 * entity created); elsewhere a lost claim moves the counter past the highest claim and retries.
 */
import { CounterClaimModel, CounterModel, type SequenceName } from '../../../shared/mongo-schema';
import { isDuplicateKey } from './duplicate-key';

/** Enough for hundreds of concurrent callers on a non-atomic engine; never reached on MongoDB. */
const MAX_ATTEMPTS = 200;

/** Thrown when no id could be claimed (a pathological engine or a broken counter). */
export class IdAllocationError extends Error {
  override readonly name = 'IdAllocationError';
}

async function increment(name: SequenceName): Promise<number> {
  try {
    const counter = await CounterModel.findOneAndUpdate(
      { _id: name },
      { $inc: { seq: 1 } },
      { upsert: true, returnDocument: 'after', lean: true },
    );
    if (!counter) throw new IdAllocationError(`counter ${name} returned nothing`);
    return counter.seq;
  } catch (error) {
    // Two first-ever increments can both try to insert the counter; the loser retries.
    if (isDuplicateKey(error)) return increment(name);
    throw error;
  }
}

/** Moves the counter to at least the highest value ever claimed. */
async function repair(name: SequenceName): Promise<void> {
  const top = await CounterClaimModel.findOne({ name }, { n: 1 }).sort({ n: -1 }).lean();
  if (top) await CounterModel.updateOne({ _id: name }, { $max: { seq: top.n } });
}

/** The next id of sequence `name`: unique across all callers, starting at 1. */
export async function nextId(name: SequenceName): Promise<number> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const n = await increment(name);
    try {
      await CounterClaimModel.create({ _id: `${name}:${n}`, name, n });
      return n;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      await repair(name);
    }
  }
  throw new IdAllocationError(`could not allocate an id for ${name} in ${MAX_ATTEMPTS} attempts`);
}
