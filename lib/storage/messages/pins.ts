/**
 * Pin slots, shared by both stores: a channel has MAX_PINS slots, and a pin takes a free one with
 * an insert-if-absent (an LWT in Cassandra, a unique key in MongoDB), so the cap holds under
 * concurrent pins on any engine.
 */
import { StorageConflictError } from '../errors';
import { MAX_PINS } from './message-store';

export interface PinSlot {
  slot: number;
  messageId: bigint;
}

/** How a store reads and claims its slots. */
export interface PinSlots {
  read(): Promise<PinSlot[]>;
  /** Inserts the slot unless it is taken; false when someone else holds it. */
  claim(slot: number, messageId: bigint): Promise<boolean>;
}

/** The lowest slot nobody holds, or undefined when the channel is full. */
export function firstFreeSlot(current: readonly PinSlot[]): number | undefined {
  const taken = new Set(current.map((s) => s.slot));
  return Array.from({ length: MAX_PINS }, (_, i) => i).find((i) => !taken.has(i));
}

export const pinsFullError = () =>
  new StorageConflictError(`A channel can have at most ${MAX_PINS} pinned messages`, 'pins');

/**
 * Gives `messageId` a slot (once); StorageConflictError('pins') when all are taken. "Once" under
 * concurrency rests on the store: MongoDB's unique (channelId, messageId) key refuses a second
 * slot for the same message; Cassandra claims the message first (see its store).
 */
export async function claimPinSlot(slots: PinSlots, messageId: bigint): Promise<void> {
  for (;;) {
    const current = await slots.read();
    if (current.some((s) => s.messageId === messageId)) return;
    const free = firstFreeSlot(current);
    if (free === undefined) throw pinsFullError();
    // Not claimed: a concurrent pin took that slot first; look again.
    if (await slots.claim(free, messageId)) return;
  }
}
