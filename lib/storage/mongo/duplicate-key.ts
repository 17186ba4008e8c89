/** Recognising a unique-index violation, the signal every uniqueness rule relies on. */

/**
 * True for MongoDB's E11000 (from the driver or Mongoose's bulk wrappers), and for FerretDB's
 * form of the same violation on updates: code 1 (InternalError) with SQLite's
 * "UNIQUE constraint failed" (FerretDB 1.24 reports 11000 only on inserts).
 */
/**
 * The indexes of the operations of a bulk write (insertMany, bulkWrite) that failed only because
 * their key exists; undefined when anything else failed too (then the error is a real one).
 */
export function duplicateKeyIndexes(error: unknown): number[] | undefined {
  const { writeErrors } = error as { writeErrors?: { index: number; code?: number }[] };
  if (!isDuplicateKey(error) || !Array.isArray(writeErrors)) return undefined;
  if (writeErrors.some((e) => e.code !== 11000 && e.code !== 1)) return undefined;
  return writeErrors.map((e) => e.index);
}

export function isDuplicateKey(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code, writeErrors } = error as Error & {
    code?: unknown;
    writeErrors?: { code?: number }[];
  };
  if (code === 11000) return true;
  if (code === 1 && /UNIQUE constraint failed/.test(error.message)) return true;
  return Array.isArray(writeErrors) && writeErrors.some((e) => e.code === 11000);
}
