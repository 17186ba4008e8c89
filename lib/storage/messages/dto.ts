/** Building the API's Message from either store's row, identically. */
import type { Message } from '../../../shared/schema';
import { formatSnowflake, snowflakeTime } from '../../ids';
import type { StoredMessage } from './message-store';

/** The DTO: id as a string, createdAt from the Snowflake, readBy sorted, isPinned from the pins. */
export function toMessage(fields: StoredMessage, pinned: ReadonlySet<string>): Message {
  const id = formatSnowflake(fields.id);
  return {
    id,
    channelId: fields.channelId,
    authorId: fields.authorId,
    content: fields.content,
    type: fields.type,
    fileUrl: fields.fileUrl ?? null,
    isPinned: pinned.has(id),
    isHomework: fields.isHomework,
    gradingStatus: fields.gradingStatus ?? null,
    readBy: [...fields.readBy].sort((a, b) => a - b),
    createdAt: new Date(snowflakeTime(fields.id)),
  };
}

/** Pinned ids newest message first, without duplicates. */
export function sortPinnedIds(ids: Iterable<bigint>): string[] {
  return [...new Set([...ids].map(formatSnowflake))]
    .map((id) => BigInt(id))
    .sort((a, b) => (a > b ? -1 : a < b ? 1 : 0))
    .map(formatSnowflake);
}
