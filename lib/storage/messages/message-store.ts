/**
 * The chat message store: one interface, two implementations (Cassandra, and MongoDB when no
 * Cassandra is configured) that behave identically — the shared contract test suite
 * (tests/integration/message-store-contract.ts) runs against both.
 *
 * Ids are bigint here (Snowflakes) and strings only in the returned Message DTOs.
 */
import type { GradingStatus, Message, MessageType } from '../../../shared/schema';

/** A channel never has more pinned messages than this (a 51st pin is a StorageConflictError). */
export const MAX_PINS = 50;
/** Unread counts are exact up to this, then reported as this with `capped: true`. */
export const UNREAD_CAP = 1_000;

export interface NewMessage {
  channelId: number;
  authorId: number;
  content: string;
  type: MessageType;
  fileUrl: string | null;
  isHomework: boolean;
}

/**
 * A page of history. Without `after`: the newest `limit` messages older than `before` (or the
 * newest of all). With `after`: the oldest `limit` messages newer than `after` (and older than
 * `before`, if given). Either way the page comes back oldest to newest; cursors are exclusive.
 */
export interface HistoryQuery {
  limit: number;
  before?: bigint;
  after?: bigint;
}

export interface UnreadCount {
  unreadCount: number;
  capped: boolean;
}

/** A message as stored for migration: everything, including its id and read marks. */
export interface StoredMessage extends NewMessage {
  id: bigint;
  gradingStatus: GradingStatus | null;
  readBy: number[];
}

export interface MessageStore {
  readonly kind: 'cassandra' | 'mongo';
  /** Stores a new message under a freshly minted Snowflake id. */
  create(message: NewMessage): Promise<Message>;
  /**
   * Stores a message with its id and state as they are (migration); idempotent. For a store its
   * users do not count or mark in yet: an unread message put below a read position stays uncounted.
   */
  put(message: StoredMessage): Promise<void>;
  get(channelId: number, id: bigint): Promise<Message | undefined>;
  history(channelId: number, query: HistoryQuery): Promise<Message[]>;
  /** False when the channel has no such message. Also unpins it. */
  delete(channelId: number, id: bigint): Promise<boolean>;
  /**
   * Pins a message of the channel; the pinned ids after, newest message first. undefined when the
   * channel has no such message; StorageConflictError('pins') at MAX_PINS. Pinning twice is a
   * no-op.
   */
  pin(channelId: number, id: bigint): Promise<string[] | undefined>;
  /** Unpins; the pinned ids after. undefined when the channel has no such message. */
  unpin(channelId: number, id: bigint): Promise<string[] | undefined>;
  /** Pinned message ids, newest message first. */
  pinnedIds(channelId: number): Promise<string[]>;
  /** Pinned messages, newest first. */
  pinned(channelId: number): Promise<Message[]>;
  /** undefined when not found; StorageConflictError('homework') when it is not homework. */
  grade(channelId: number, id: bigint, status: GradingStatus): Promise<Message | undefined>;
  /**
   * The user has read this message (only this one): adds the user to its readBy (idempotent), then
   * moves the user's read position over the read prefix above it (read-position.ts). undefined
   * when not found (and nothing changes).
   */
  markRead(channelId: number, id: bigint, userId: number): Promise<Message | undefined>;
  /**
   * The user's read position in the channel (undefined: none yet): every message up to it is by
   * the user or read by them. A cache the store keeps for unreadCount; for tests and benchmarks.
   */
  readPosition(channelId: number, userId: number): Promise<bigint | undefined>;
  /** How many messages the channel holds (migration checks; a scan, not for request paths). */
  count(channelId: number): Promise<number>;
  /**
   * Messages by others without the user in readBy, exact up to UNREAD_CAP. Reads only messages
   * above the user's read position, so for a user who has read everything it reads the last few
   * seconds of history (READ_SETTLE_MS) whatever the channel's size; when it saw every message
   * above the position, it moves the position up to the highest one below its lowest unread.
   */
  unreadCount(channelId: number, userId: number): Promise<UnreadCount>;
}
