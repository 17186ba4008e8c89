/** Typed failures of the database layer; lib/http maps them to HTTP statuses. */

/** The engines this backend depends on, as named in logs and in GET /api/health. */
export type Engine = 'mongo' | 'cassandra' | 'dynamodb';

/**
 * A database could not be reached or did not answer in time. Callers answer 503; nothing was
 * acknowledged to the client, so no write is lost by failing here.
 */
export class DatabaseUnavailableError extends Error {
  override readonly name = 'DatabaseUnavailableError';
  constructor(
    readonly engine: Engine,
    options?: { cause?: unknown },
  ) {
    super(`${engine} is unavailable`, options);
  }
}

/** A configured engine is used before it is configured (e.g. Cassandra without its variables). */
export class EngineNotConfiguredError extends Error {
  override readonly name = 'EngineNotConfiguredError';
  constructor(readonly engine: Engine) {
    super(`${engine} is not configured`);
  }
}

/** Node's codes for a connection that was refused, reset, ended or timed out under a request. */
const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

/**
 * True for a Node socket error. Drivers pass some through unwrapped: the MongoDB driver, writing
 * to a socket the server has just closed, rejected with a bare "EPIPE: This socket has been ended
 * by the other party" (verify:faults, FerretDB stopping), which was a 500 instead of a 503.
 */
export function isNetworkError(error: unknown): boolean {
  const code = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && NETWORK_ERROR_CODES.has(code);
}

/** Rejects with DatabaseUnavailableError when `promise` has not settled within `ms`. */
export async function withDeadline<T>(engine: Engine, ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new DatabaseUnavailableError(engine, { cause: new Error(`no answer in ${ms} ms`) })),
      ms,
    );
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
