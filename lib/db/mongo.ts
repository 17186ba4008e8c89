/**
 * The one MongoDB (Mongoose) connection of this Lambda instance, created on first use.
 *
 * Lambda reuses a warm instance's module scope, so the connect promise is memoised before it is
 * awaited (concurrent first calls share it) and cleared when it rejects (one failed cold connect
 * must not poison the instance). `bufferCommands: false` and a short server-selection timeout make
 * an unreachable server fail in seconds instead of queueing until the Lambda times out.
 */
import mongoose, { type Mongoose } from 'mongoose';
import { config } from '../config';
import { logger } from '../logger';
import { DatabaseUnavailableError, isNetworkError } from './errors';

// Refuse query objects smuggled in where a value is expected ({ $ne: null } as a username) and
// unknown filter paths; both apply to every model of the default Mongoose instance.
mongoose.set('sanitizeFilter', true);
mongoose.set('strictQuery', true);

/** Sockets idle longer than this are closed: NAT gateways silently drop flows idle > 350 s. */
const MAX_IDLE_MS = 60_000;

let connecting: Promise<Mongoose> | undefined;

/** Returns the connected Mongoose instance, connecting on first use. Rejects with DatabaseUnavailableError. */
export function getMongo(): Promise<Mongoose> {
  if (!connecting) {
    const { url, maxPoolSize, serverSelectionTimeoutMs, socketTimeoutMs } = config().mongo;
    connecting = mongoose
      .connect(url, {
        bufferCommands: false,
        autoIndex: false,
        autoCreate: false,
        serverSelectionTimeoutMS: serverSelectionTimeoutMs,
        connectTimeoutMS: serverSelectionTimeoutMs,
        // A single operation on an established socket never waits longer (API timeout is 30 s).
        socketTimeoutMS: socketTimeoutMs,
        maxPoolSize,
        minPoolSize: 0,
        maxIdleTimeMS: MAX_IDLE_MS,
        appName: 'plp-lambda',
        // Message ids are 64-bit Snowflakes: read int64 values as bigint, never as a lossy number.
        useBigInt64: true,
      })
      .catch(async (error: unknown) => {
        // Tear the failed attempt down before forgetting it, so a concurrent call cannot start a
        // new connect that this disconnect would then close. A failing disconnect changes nothing
        // for the caller: the engine is unavailable either way.
        await mongoose.disconnect().catch((disconnectError: unknown) => {
          logger.debug('mongo disconnect after a failed connect failed', {
            error: disconnectError,
          });
        });
        connecting = undefined;
        throw new DatabaseUnavailableError('mongo', { cause: error });
      });
  }
  return connecting;
}

const UNAVAILABLE_ERRORS = [
  mongoose.mongo.MongoNetworkError, // includes timeouts and a pool cleared after a network error
  mongoose.mongo.MongoServerSelectionError,
  mongoose.mongo.MongoTopologyClosedError,
  mongoose.mongo.MongoNotConnectedError,
];

/** True when `error` means the server could not be reached, as opposed to a bad query. */
export function isMongoUnavailable(error: unknown): boolean {
  return UNAVAILABLE_ERRORS.some((type) => error instanceof type) || isNetworkError(error);
}

/** Runs `operation` on the connection, turning connectivity failures into DatabaseUnavailableError. */
export async function withMongo<T>(operation: (db: Mongoose) => Promise<T>): Promise<T> {
  const db = await getMongo();
  try {
    return await operation(db);
  } catch (error) {
    if (isMongoUnavailable(error)) throw new DatabaseUnavailableError('mongo', { cause: error });
    throw error;
  }
}

/** Round trip to the server; used by the health check. */
export function pingMongo(): Promise<void> {
  return withMongo(async (db) => {
    const admin = db.connection.db?.admin();
    if (!admin) throw new DatabaseUnavailableError('mongo');
    await admin.ping();
  });
}

/** Closes the connection (tests and scripts; a Lambda keeps it for the next invocation). */
export async function closeMongo(): Promise<void> {
  const pending = connecting;
  connecting = undefined;
  if (pending) await mongoose.disconnect();
}

/**
 * `serverless invoke local` (which sets IS_LOCAL) runs one invocation in a process that exits
 * only once nothing holds its event loop; a Lambda instead keeps the connection for the next
 * invocation. Scheduled jobs call this last so the local command returns.
 */
export async function closeMongoAfterLocalInvoke(): Promise<void> {
  if (process.env.IS_LOCAL === 'true') await closeMongo();
}
