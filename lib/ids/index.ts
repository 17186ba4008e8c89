/**
 * Snowflake message ids. Handlers call nextMessageId(); ids travel as bigint inside the backend
 * and as decimal strings (formatSnowflake / parseSnowflake) at the API edge.
 */
import { MessageIdSource } from './message-id-source';

export * from './errors';
export { MessageIdSource, type MessageIdSourceOptions } from './message-id-source';
export {
  formatSnowflake,
  lowestSnowflakeAt,
  MAX_SNOWFLAKE,
  parseSnowflake,
  SNOWFLAKE_EPOCH_MS,
  snowflakeSequence,
  snowflakeTime,
  snowflakeWorker,
} from './snowflake';
export { instanceIdentity } from './worker-lease';

let source: MessageIdSource | undefined;

/** Mints the next message id of this process (or worker thread), leasing a worker slot on first use. */
export function nextMessageId(): Promise<bigint> {
  source ??= new MessageIdSource();
  return source.next();
}
