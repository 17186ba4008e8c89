/** Reading the worker-leases table and crafting instance identities, for the lease tests. */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../../lib/config';
import { getDynamo, withDynamo } from '../../lib/db/dynamo';
import { startSlotFor } from '../../lib/ids/worker-lease';

/**
 * An identity, `${prefix}-<n>`, whose hash starts probing at `slot`: lets a test make instances
 * collide on purpose (about 1,024 hashes on average).
 */
export function identityStartingAt(slot: number, prefix: string): string {
  for (let n = 0; n < 1_000_000; n += 1) {
    const identity = `${prefix}-${n}`;
    if (startSlotFor(identity) === slot) return identity;
  }
  throw new Error(`no identity with prefix ${prefix} hashes to slot ${slot}`);
}

export interface LeaseItem {
  slot: number;
  owner: string;
  leaseUntil: number;
  ttl: number;
}

/** The item of `slot`, read consistently (undefined when the slot was never leased). */
export function readLeaseItem(
  slot: number,
  tableName = config().dynamo.workerLeasesTable,
): Promise<LeaseItem | undefined> {
  return withDynamo(async (dynamo) => {
    const { Item } = await dynamo.send(
      new GetCommand({ TableName: tableName, Key: { slot }, ConsistentRead: true }),
    );
    return Item as LeaseItem | undefined;
  });
}

/**
 * Counts the commands the shared DynamoDB client sends from now on (by command name), through a
 * middleware on the real client: nothing is mocked. stop() removes the middleware.
 */
export async function countDynamoCommands(): Promise<{
  counts: Map<string, number>;
  stop(): void;
}> {
  const counts = new Map<string, number>();
  const name = `count-commands-${Math.random().toString(36).slice(2)}`;
  const stack = (await getDynamo()).middlewareStack;
  stack.add(
    (next, context) => (args) => {
      const command = String(context.commandName);
      counts.set(command, (counts.get(command) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name },
  );
  return { counts, stop: () => stack.remove(name) };
}
