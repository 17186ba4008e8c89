/**
 * lib/sessions/login-throttle.ts against the real DynamoDB engine, with an injected clock: the
 * attempt is counted by a conditional write before any verification, so a concurrent burst is
 * admitted only up to the limit; the address is counted before the username, so an exhausted
 * address cannot touch a username's counter; what was taken is given back as the design says.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { config, resetConfig } from '../../lib/config';
import { closeDynamo, getDynamo } from '../../lib/db/dynamo';
import { createLogger } from '../../lib/logger';
import {
  endLoginAttempt,
  type LoginAttempt,
  reserveLoginAttempt,
  type ThrottleVerdict,
} from '../../lib/sessions/login-throttle';
import { useIsolatedEnv } from '../helpers/isolated-env';

const MINUTE = 60_000;
/** The start of a 15-minute window. */
const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);
const WINDOW_END_SECONDS = (T0 + 15 * MINUTE) / 1_000;
const PER_USERNAME = 5;
const PER_ADDRESS = 8;
const BURST = 20;

/** Warnings are lines the test can read; none is expected while the store is up. */
const lines: string[] = [];
const log = createLogger('warn', {}, (line) => lines.push(line));

/** The stored counter: its attempts and ttl, or undefined when there is no item. */
async function counter(pk: string) {
  const { Item } = await (await getDynamo()).send(
    new GetCommand({ TableName: config().dynamo.sessionsTable, Key: { pk }, ConsistentRead: true }),
  );
  return Item && { attempts: Item.attempts as number, ttl: Item.ttl as number };
}
const userCounter = (username: string) =>
  counter(`throttle#user#${username}#${T0 / (15 * MINUTE)}`);
const ipCounter = (ip: string) => counter(`throttle#ip#${ip}#${T0 / (15 * MINUTE)}`);

function admitted(verdict: ThrottleVerdict): LoginAttempt {
  if (!verdict.allowed) throw new Error(`refused: ${JSON.stringify(verdict)}`);
  return verdict.attempt;
}

/** `count` attempts, one after another, each ending as a wrong password. */
async function failures(count: number, username: string, ip: string, now = T0) {
  for (let i = 0; i < count; i += 1) {
    await endLoginAttempt(
      admitted(await reserveLoginAttempt(username, ip, log, now)),
      'failed',
      log,
    );
  }
}

describe('login throttle', () => {
  beforeAll(async () => {
    await useIsolatedEnv('login-throttle', { cassandra: false, mongoIndexes: false });
    process.env.LOGIN_MAX_FAILURES_PER_USERNAME = String(PER_USERNAME);
    process.env.LOGIN_MAX_FAILURES_PER_IP = String(PER_ADDRESS);
    resetConfig();
  });
  afterAll(() => {
    closeDynamo();
    expect(lines).toEqual([]);
  });

  it(`admits ${PER_USERNAME} of ${BURST} concurrent attempts for one username, from any addresses`, async () => {
    const verdicts = await Promise.all(
      Array.from({ length: BURST }, (_, i) => reserveLoginAttempt('eve', `10.0.1.${i}`, log, T0)),
    );
    expect(verdicts.filter((v) => v.allowed)).toHaveLength(PER_USERNAME);
    for (const verdict of verdicts.filter((v) => !v.allowed)) {
      expect(verdict).toEqual({ allowed: false, retryAfterSeconds: 15 * 60 });
    }
    expect(await userCounter('eve')).toEqual({ attempts: PER_USERNAME, ttl: WINDOW_END_SECONDS });
    // The addresses whose attempt the username refused got theirs back.
    const perAddress = await Promise.all(verdicts.map((_, i) => ipCounter(`10.0.1.${i}`)));
    expect(perAddress.map((c) => c?.attempts ?? 0)).toEqual(
      verdicts.map((v) => (v.allowed ? 1 : 0)),
    );
  });

  it(`admits ${PER_ADDRESS} of ${BURST} concurrent attempts from one address, across usernames`, async () => {
    const verdicts = await Promise.all(
      Array.from({ length: BURST }, (_, i) =>
        reserveLoginAttempt(`mallory${i}`, '192.0.2.1', log, T0),
      ),
    );
    expect(verdicts.filter((v) => v.allowed)).toHaveLength(PER_ADDRESS);
    expect(await ipCounter('192.0.2.1')).toEqual({
      attempts: PER_ADDRESS,
      ttl: WINDOW_END_SECONDS,
    });
    const perUsername = await Promise.all(verdicts.map((_, i) => userCounter(`mallory${i}`)));
    expect(perUsername.map((c) => c?.attempts ?? 0)).toEqual(
      verdicts.map((v) => (v.allowed ? 1 : 0)),
    );
    expect(await reserveLoginAttempt('mallory-new', '192.0.2.1', log, T0)).toMatchObject({
      allowed: false,
    });
    expect((await reserveLoginAttempt('mallory-new', '192.0.2.2', log, T0)).allowed).toBe(true);
  });

  it('a flood from an exhausted address never touches the victim username’s counter', async () => {
    for (let i = 0; i < PER_ADDRESS; i += 1) await failures(1, `trent${i}`, '198.51.100.7');
    const verdicts = await Promise.all(
      Array.from({ length: BURST }, () => reserveLoginAttempt('ivy', '198.51.100.7', log, T0)),
    );
    expect(verdicts.every((v) => !v.allowed)).toBe(true);
    // Not even taken and given back: a slot held for an instant is a slot the real user lacks.
    expect(await userCounter('ivy')).toBeUndefined();
    expect(await ipCounter('198.51.100.7')).toEqual({
      attempts: PER_ADDRESS,
      ttl: WINDOW_END_SECONDS,
    });
    const attempt = admitted(await reserveLoginAttempt('ivy', '10.4.4.4', log, T0));
    await endLoginAttempt(attempt, 'verified', log);
    expect(await userCounter('ivy')).toBeUndefined();
  });

  it('refuses a username in any letter case until the window ends, then admits it again', async () => {
    await failures(PER_USERNAME, 'Carol', '10.0.0.1');
    expect(await reserveLoginAttempt('CAROL', '10.0.0.3', log, T0 + MINUTE)).toEqual({
      allowed: false,
      retryAfterSeconds: 14 * 60,
    });
    expect((await reserveLoginAttempt('carol', '10.0.0.3', log, T0 + 15 * MINUTE)).allowed).toBe(
      true,
    );
  });

  it('a verified login clears the username’s counter and gives the address its attempt back', async () => {
    await failures(PER_USERNAME - 1, 'dave', '10.1.1.1');
    await endLoginAttempt(
      admitted(await reserveLoginAttempt('dave', '10.1.1.1', log, T0)),
      'verified',
      log,
    );
    expect(await userCounter('dave')).toBeUndefined();
    expect((await ipCounter('10.1.1.1'))?.attempts).toBe(PER_USERNAME - 1);
    await failures(PER_USERNAME, 'dave', '10.1.1.2');
    expect((await reserveLoginAttempt('dave', '10.1.1.3', log, T0)).allowed).toBe(false);
  });

  it('successful logins never use up an address: many users behind one address sign in', async () => {
    for (let i = 0; i < 3 * PER_ADDRESS; i += 1) {
      const attempt = admitted(await reserveLoginAttempt(`pupil${i}`, '203.0.113.5', log, T0));
      await endLoginAttempt(attempt, 'verified', log);
    }
    expect(await ipCounter('203.0.113.5')).toEqual({ attempts: 0, ttl: WINDOW_END_SECONDS });
  });

  it('an attempt that reached no verdict is given back on both counters', async () => {
    const attempt = admitted(await reserveLoginAttempt('frank', '10.2.2.2', log, T0));
    expect((await userCounter('frank'))?.attempts).toBe(1);
    await endLoginAttempt(attempt, 'unverified', log);
    expect((await userCounter('frank'))?.attempts).toBe(0);
    expect((await ipCounter('10.2.2.2'))?.attempts).toBe(0);
  });

  it('a give-back neither re-creates a cleared counter nor goes below zero', async () => {
    const first = admitted(await reserveLoginAttempt('gina', '10.3.3.3', log, T0));
    const second = admitted(await reserveLoginAttempt('gina', '10.3.3.3', log, T0));
    await endLoginAttempt(first, 'verified', log);
    await endLoginAttempt(second, 'unverified', log);
    await endLoginAttempt(second, 'unverified', log);
    expect(await userCounter('gina')).toBeUndefined();
    expect((await ipCounter('10.3.3.3'))?.attempts).toBe(0);
  });
});
