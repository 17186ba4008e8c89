/**
 * Connect tickets against the real DynamoDB engine, with an injected clock: their 60-second life,
 * which the e2e tests do not wait out, and what $connect does with an expired one.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDynamo } from '../../lib/db/dynamo';
import { findConnection } from '../../lib/realtime/connections';
import { acceptConnection } from '../../lib/realtime/sessions';
import { issueTicket, redeemTicket } from '../../lib/realtime/tickets';
import { createSession, hashToken } from '../../lib/sessions/session-store';
import { TICKET_TTL_SECONDS } from '../../shared/realtime-schema';
import { useIsolatedEnv } from '../helpers/isolated-env';

const TTL_MS = TICKET_TTL_SECONDS * 1000;
const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);

/** A live session (as login makes it) and its cookie header. */
async function session(userId: number) {
  const { token } = await createSession({ id: userId, role: 'student' });
  return { id: hashToken(token), userId, role: 'student' as const, cookie: `sid=${token}` };
}

describe('connect tickets', () => {
  beforeAll(async () => {
    await useIsolatedEnv('rt-tickets', { cassandra: false, mongoIndexes: false });
  });
  afterAll(closeDynamo);

  it(`expire ${TICKET_TTL_SECONDS} s after they are issued, exactly`, async () => {
    const owner = await session(1);
    const young = await issueTicket(owner, T0);
    const old = await issueTicket(owner, T0);
    expect(young.expiresAt.getTime()).toBe(T0 + TTL_MS);
    expect(await redeemTicket(young.ticket, T0 + TTL_MS - 1)).toEqual({ sessionId: owner.id });
    expect(await redeemTicket(old.ticket, T0 + TTL_MS)).toBeUndefined();
    // Refused once expired, and gone: it does not come back at an earlier clock either.
    expect(await redeemTicket(old.ticket, T0)).toBeUndefined();
  });

  it('are refused by $connect once expired, even beside a valid cookie, keeping no connection', async () => {
    const owner = await session(2);
    const expired = await issueTicket(owner, Date.now() - TTL_MS - 1_000);
    const refused = `refused-${randomUUID()}`;
    expect(
      await acceptConnection(refused, { cookie: owner.cookie }, { ticket: expired.ticket }),
    ).toBe(false);
    expect(await findConnection(refused)).toBeUndefined();

    // The same session with a fresh ticket connects: the expiry was the reason.
    const fresh = await issueTicket(owner);
    const accepted = `accepted-${randomUUID()}`;
    expect(await acceptConnection(accepted, {}, { ticket: fresh.ticket })).toBe(true);
    expect(await findConnection(accepted)).toMatchObject({ userId: 2, sessionId: owner.id });
  });
});
