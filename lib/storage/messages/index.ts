/**
 * The message store of this deployment, chosen by configuration: Cassandra when it
 * is configured, else MongoDB. Never by a failed health check: a silent switch would split a
 * channel's history across two stores. A down store answers 503, it is not replaced.
 */
import { config } from '../../config';
import type { MessageStore } from './message-store';

export * from './message-store';

/** Loads only the driver this deployment uses (a function bundles both, evaluates one). */
export async function messageStore(): Promise<MessageStore> {
  if (config().cassandra) return (await import('./cassandra-message-store')).cassandraMessageStore;
  return (await import('./mongo-message-store')).mongoMessageStore;
}
