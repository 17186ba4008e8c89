/**
 * "Update the one document with this key, or insert it", correct under concurrency on every
 * engine: the unique index on the key decides the race, and the loser updates the winner's
 * document. An id is allocated only when an insert is actually attempted (no gaps on updates).
 */
import { isDuplicateKey } from './duplicate-key';

export async function updateOrInsert<T>(
  update: () => Promise<T | undefined>,
  insert: () => Promise<T>,
): Promise<T> {
  const updated = await update();
  if (updated !== undefined) return updated;
  try {
    return await insert();
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    // A concurrent call inserted the same key first: apply ours on top of it.
    const retried = await update();
    if (retried === undefined) throw error;
    return retried;
  }
}
