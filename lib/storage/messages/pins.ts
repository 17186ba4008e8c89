/**
 * Pin slots, shared by both stores: a channel has MAX_PINS slots, and a pin takes a free one with
 * an insert-if-absent (an LWT in Cassandra, a unique key in MongoDB), so the cap holds under
 * concurrent pins on any engine.
 */
import { ConflictError } from '../errors';
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

/** Gives `messageId` a slot (once); ConflictError('pins') when all are taken. */
export async function claimPinSlot(slots: PinSlots, messageId: bigint): Promise<void> {
  for (;;) {
    const current = await slots.read();
    if (current.some((s) => s.messageId === messageId)) return;
    const taken = new Set(current.map((s) => s.slot));
    const free = Array.from({ length: MAX_PINS }, (_, i) => i).find((i) => !taken.has(i));
    if (free === undefined) {
      throw new ConflictError(`A channel can have at most ${MAX_PINS} pinned messages`, 'pins');
    }
    // Not claimed: a concurrent pin took that slot first; look again.
    if (await slots.claim(free, messageId)) return;
  }
}
