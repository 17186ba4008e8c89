/**
 * What a Cassandra driver error means for the request that got it: the cluster could not serve it
 * (answer 503), or, for a write, whether it may have applied anyway.
 */
import { errors, types } from 'cassandra-driver';
import { DatabaseUnavailableError, isNetworkError } from './errors';

const SERVER_UNAVAILABLE_CODES = new Set<number>([
  types.responseErrorCodes.unavailableException,
  types.responseErrorCodes.overloaded,
  types.responseErrorCodes.isBootstrapping,
  types.responseErrorCodes.writeTimeout,
  types.responseErrorCodes.readTimeout,
]);

/** The driver's mark on an error of a connection that closed under a request. */
type SocketError = Error & { isSocketError?: boolean; requestNotWritten?: boolean };
const isSocketError = (error: unknown): error is SocketError =>
  error instanceof Error && (error as SocketError).isSocketError === true;

/** True when `error` means the cluster could not serve the request (not a bad statement). */
export function isCassandraUnavailable(error: unknown): boolean {
  if (error instanceof errors.NoHostAvailableError) return true;
  // "Socket was closed": the node shut down (a rolling restart) with this request on it.
  if (isSocketError(error)) return true;
  if (error instanceof errors.OperationTimedOutError) return true;
  if (error instanceof errors.BusyConnectionError) return true;
  if (error instanceof errors.ResponseError) return SERVER_UNAVAILABLE_CODES.has(error.code);
  return isNetworkError(error);
}

/**
 * True when a statement failed after it was sent without saying whether it applied: the
 * coordinator timed out waiting for replicas, no answer came within the client's read timeout,
 * or the connection closed once the request was written. Accepts the error as thrown by the
 * driver or wrapped by withCassandra.
 */
export function outcomeUnknown(error: unknown): boolean {
  const cause = error instanceof DatabaseUnavailableError ? error.cause : error;
  if (cause instanceof errors.ResponseError)
    return cause.code === types.responseErrorCodes.writeTimeout;
  if (cause instanceof errors.OperationTimedOutError) return true;
  return isSocketError(cause) && cause.requestNotWritten !== true;
}
