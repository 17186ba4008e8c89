/**
 * Reachability of the three stores, as GET /api/health reports it.
 *
 * Each check is a real round trip, bounded by a deadline so the endpoint answers within a few
 * seconds even when a server accepts connections but never replies.
 */
import { config } from '../config';
import { withDeadline } from '../db/errors';
import type { Logger } from '../logger';

export type ComponentStatus = 'ok' | 'down';

/** mongo: the domain data; messages: the chat store (Cassandra or Mongo); sessions: DynamoDB. */
export interface HealthReport {
  mongo: ComponentStatus;
  messages: ComponentStatus;
  sessions: ComponentStatus;
}

/** Each check must finish within this; the three run in parallel. */
export const HEALTH_CHECK_DEADLINE_MS = 3_000;

async function probe(
  name: keyof HealthReport,
  check: () => Promise<void>,
  log: Logger,
): Promise<ComponentStatus> {
  try {
    await check();
    return 'ok';
  } catch (error) {
    log.warn('health check failed', { component: name, error });
    return 'down';
  }
}

/** Pings every store and says which are reachable. Never throws. */
export async function checkHealth(log: Logger): Promise<HealthReport> {
  const messagesInCassandra = config().cassandra !== undefined;
  // Drivers load lazily: a stack without Cassandra never pays for cassandra-driver.
  const pingMongo = async () => (await import('../db/mongo')).pingMongo();
  const pingMessages = messagesInCassandra
    ? async () => (await import('../db/cassandra')).pingCassandra()
    : pingMongo;
  const pingSessions = async () => (await import('../db/dynamo')).pingDynamo();

  const within = (engine: 'mongo' | 'cassandra' | 'dynamodb', check: () => Promise<void>) => () =>
    withDeadline(engine, HEALTH_CHECK_DEADLINE_MS, check());

  const [mongo, messages, sessions] = await Promise.all([
    probe('mongo', within('mongo', pingMongo), log),
    probe('messages', within(messagesInCassandra ? 'cassandra' : 'mongo', pingMessages), log),
    probe('sessions', within('dynamodb', pingSessions), log),
  ]);
  return { mongo, messages, sessions };
}
