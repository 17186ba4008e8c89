/** Recognising MongoDB's duplicate-key error (E11000), the signal every uniqueness rule relies on. */

/** True for E11000 from the driver (MongoServerError) or Mongoose's bulk wrappers. */
export function isDuplicateKey(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code, writeErrors } = error as Error & {
    code?: unknown;
    writeErrors?: { code?: number }[];
  };
  return (
    code === 11000 || (Array.isArray(writeErrors) && writeErrors.some((e) => e.code === 11000))
  );
}
