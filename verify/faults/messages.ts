/** After the load: every message acknowledged must be readable, with the content it was sent with. */
import { expectStatus, fullHistory, login, sessionCookie } from './client';
import type { Fixture, Member } from './fixture';
import type { Load } from './load';
import type { Acknowledged } from './scenario';

export interface MessageFigures {
  acknowledged: number;
  lost: Acknowledged[];
  stored: number;
  duplicateIds: number;
  duplicatedSends: number;
  unacknowledged: number;
  unacknowledgedStored: number;
  strays: number;
}

/** Reads every channel's history back and compares it with what the load sent. */
export async function readBack(
  base: string,
  fixture: Fixture,
  load: Load,
): Promise<MessageFigures> {
  const stored = new Map<string, { id: string; content: string; channelId: number }>();
  const reader = fixture.members[0] as Member;
  const cookie = sessionCookie(
    await expectStatus(login(base, reader.username), 200, 'sign in to read the histories'),
  );
  let duplicateIds = 0;
  for (const channelId of fixture.channelIds) {
    for (const message of await fullHistory(base, cookie, channelId)) {
      if (stored.has(message.id)) duplicateIds += 1;
      stored.set(message.id, { ...message, channelId });
    }
  }
  const lost = load.acknowledged.filter((ack) => {
    const found = stored.get(ack.id);
    return !found || found.content !== ack.content || found.channelId !== ack.channelId;
  });
  const storedContents = new Set([...stored.values()].map((m) => m.content));
  const unacknowledgedStored = load.unacknowledged.filter((u) => storedContents.has(u.content));
  const sentContents = new Set([
    ...load.acknowledged.map((a) => a.content),
    ...load.unacknowledged.map((u) => u.content),
  ]);
  return {
    acknowledged: load.acknowledged.length,
    lost,
    stored: stored.size,
    duplicateIds,
    duplicatedSends: stored.size - storedContents.size,
    unacknowledged: load.unacknowledged.length,
    unacknowledgedStored: unacknowledgedStored.length,
    strays: [...storedContents].filter((c) => !sentContents.has(c)).length,
  };
}
