/** Typed outcomes of storage calls that are not "not found" (that is `undefined`). */

/**
 * What is stored refuses the change: a uniqueness rule (a taken username or email, a second
 * attempt in progress...) or a state the change cannot apply from. The API answers 409.
 */
export class StorageConflictError extends Error {
  override readonly name = 'StorageConflictError';
  constructor(
    message: string,
    /** What collided, e.g. 'username', 'email', 'attempt'. */
    readonly field: string,
    /** The machine-readable code the API answers with, when more precise than CONFLICT. */
    readonly code?: string,
  ) {
    super(message);
  }
}

/** The request makes no sense whatever the data (e.g. a DM with oneself). Maps to 400. */
export class InvalidOperationError extends Error {
  override readonly name = 'InvalidOperationError';
}
