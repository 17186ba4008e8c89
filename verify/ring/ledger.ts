/**
 * The messages verify:ring sent, and what reading them back must find: every acknowledged message
 * once with its content, none deleted with an acknowledged delete, none stored twice. Pure.
 */

export interface SentMessage {
  id: string;
  channelId: number;
  content: string;
  /** yes: its delete answered 204; unknown: a delete was sent and not acknowledged. */
  deleted: 'no' | 'yes' | 'unknown';
}

export interface StoredMessage {
  id: string;
  channelId: number;
  content: string;
}

export interface ReadBack {
  /** Acknowledged, never deleted, and not found with its content in its channel. */
  lost: SentMessage[];
  /** Ids the histories returned more than once. */
  duplicateIds: number;
  /** Contents stored under more than one id: one send stored twice. */
  storedTwice: number;
  /** Found although their delete was acknowledged. */
  resurrected: SentMessage[];
  /** Stored messages no send of this run can account for (acknowledged or not). */
  strays: number;
  /** Acknowledged messages that must be there (not deleted at all). */
  expected: number;
}

/**
 * Compares what was sent with what the channels hold. `unacknowledged` are the contents of sends
 * that got no 201: stored or not, neither is a loss; they only keep a stored one from being a stray.
 */
export function readBack(
  sent: readonly SentMessage[],
  stored: readonly StoredMessage[],
  unacknowledged: readonly string[] = [],
): ReadBack {
  const byId = new Map<string, StoredMessage>();
  let duplicateIds = 0;
  for (const message of stored) {
    if (byId.has(message.id)) duplicateIds += 1;
    byId.set(message.id, message);
  }
  const idsByContent = new Map<string, number>();
  for (const message of byId.values()) {
    idsByContent.set(message.content, (idsByContent.get(message.content) ?? 0) + 1);
  }
  const kept = sent.filter((m) => m.deleted === 'no');
  const lost = kept.filter((m) => {
    const found = byId.get(m.id);
    return !found || found.content !== m.content || found.channelId !== m.channelId;
  });
  const resurrected = sent.filter((m) => m.deleted === 'yes' && byId.has(m.id));
  const known = new Set([...sent.map((m) => m.content), ...unacknowledged]);
  return {
    lost,
    duplicateIds,
    storedTwice: [...idsByContent.values()].filter((n) => n > 1).length,
    resurrected,
    strays: [...byId.values()].filter((m) => !known.has(m.content)).length,
    expected: kept.length,
  };
}
