/** lib/auth/passwords.ts: scrypt hashes, verification, and the dummy verification for timing. */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LOG_N,
  dummyHash,
  hashCost,
  hashPassword,
  needsRehash,
  verifyAgainstDummy,
  verifyPassword,
} from '../../lib/auth/passwords';

/** Cheap cost for tests; the cost is stored in each hash, so verification follows it. */
const LOG_N = 10;
const PASSWORD = 'correct horse battery staple';
const FORMAT = /^scrypt\$10\$8\$1\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

/** The parts of a stored hash. */
function parts(stored: string) {
  const [scheme, logN, r, p, salt, hash] = stored.split('$') as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return { scheme, logN, r, p, salt, hash };
}

describe('hashPassword', () => {
  it('produces scrypt$logN$r$p$salt$hash with a 16-byte salt and a 32-byte key', async () => {
    const stored = await hashPassword(PASSWORD, LOG_N);
    expect(stored).toMatch(FORMAT);
    const { scheme, logN, r, p, salt, hash } = parts(stored);
    expect([scheme, logN, r, p]).toEqual(['scrypt', '10', '8', '1']);
    expect(Buffer.from(salt, 'base64')).toHaveLength(16);
    expect(Buffer.from(hash, 'base64')).toHaveLength(32);
    expect(stored).not.toContain(PASSWORD);
  });

  it('records the cost it was given', async () => {
    expect(parts(await hashPassword(PASSWORD, 11)).logN).toBe('11');
  });

  it('uses a fresh salt each time: the same password hashes differently', async () => {
    const [a, b] = await Promise.all([
      hashPassword(PASSWORD, LOG_N),
      hashPassword(PASSWORD, LOG_N),
    ]);
    expect(a).not.toBe(b);
    expect(parts(a).salt).not.toBe(parts(b).salt);
    expect(parts(a).hash).not.toBe(parts(b).hash);
    expect(await verifyPassword(PASSWORD, a)).toBe(true);
    expect(await verifyPassword(PASSWORD, b)).toBe(true);
  });
});

describe('verifyPassword', () => {
  it('accepts the right password and refuses wrong ones', async () => {
    const stored = await hashPassword(PASSWORD, LOG_N);
    expect(await verifyPassword(PASSWORD, stored)).toBe(true);
    expect(await verifyPassword('correct horse battery stapl', stored)).toBe(false);
    expect(await verifyPassword('Correct horse battery staple', stored)).toBe(false);
    expect(await verifyPassword(`${PASSWORD} `, stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('handles non-ASCII passwords', async () => {
    const stored = await hashPassword('pässwörd-密码-🔑', LOG_N);
    expect(await verifyPassword('pässwörd-密码-🔑', stored)).toBe(true);
    expect(await verifyPassword('passwort-密码-🔑', stored)).toBe(false);
  });

  it('refuses the right password against a tampered hash', async () => {
    const stored = await hashPassword(PASSWORD, LOG_N);
    const { salt, hash } = parts(stored);
    const otherSalt = Buffer.alloc(16, 7).toString('base64');
    const key = Buffer.from(hash, 'base64');
    key[0] = (key[0] as number) ^ 1;
    const tampered = [
      `scrypt$11$8$1$${salt}$${hash}`, // another cost
      `scrypt$10$8$2$${salt}$${hash}`, // another parallelism
      `scrypt$10$8$1$${otherSalt}$${hash}`, // another salt
      `scrypt$10$8$1$${salt}$${key.toString('base64')}`, // one bit of the key flipped
      `scrypt$10$8$1$${salt}$${hash.slice(0, 20)}`, // a truncated key
      `scrypt$10$8$1$${salt}$${Buffer.concat([key, Buffer.alloc(1)]).toString('base64')}`, // longer
    ];
    for (const value of tampered) {
      expect(await verifyPassword(PASSWORD, value), value).toBe(false);
    }
  });

  it('answers false, without throwing, for garbage and out-of-range parameters', async () => {
    const { salt, hash } = parts(await hashPassword(PASSWORD, LOG_N));
    const garbage = [
      '',
      'garbage',
      PASSWORD,
      'scrypt$',
      `bcrypt$10$8$1$${salt}$${hash}`,
      `scrypt$10$8$1$${salt}`,
      `scrypt$10$8$1$${salt}$${hash}$extra`,
      `scrypt$x$8$1$${salt}$${hash}`,
      `scrypt$10$8$1$not base64!$${hash}`,
      `scrypt$0$8$1$${salt}$${hash}`, // N = 1: not a valid scrypt cost
      `scrypt$1$8$1$${salt}$${hash}`, // N = 2: valid, but over the memory bound
      `scrypt$40$8$1$${salt}$${hash}`, // N = 2^40: out of range
      `scrypt$99$8$1$${salt}$${hash}`, // N = 2^99: out of range
    ];
    // Every value is tried, so the failure lists all that misbehave.
    const results = [];
    for (const value of garbage) {
      results.push(
        await verifyPassword(PASSWORD, value).then(
          (ok) => ({ value, ok }),
          (error: unknown) => ({ value, threw: String(error) }),
        ),
      );
    }
    expect(results).toEqual(garbage.map((value) => ({ value, ok: false })));
  });
});

describe('verifyAgainstDummy', () => {
  it('resolves false, whatever the password', async () => {
    await expect(verifyAgainstDummy(PASSWORD, LOG_N)).resolves.toBe(false);
    await expect(verifyAgainstDummy('', LOG_N)).resolves.toBe(false);
    await expect(verifyAgainstDummy('dummy-password-for-timing', LOG_N)).resolves.toBe(false);
  });
});

describe('hashCost and needsRehash', () => {
  it('reads the cost of a stored hash and asks for a re-hash at any other cost', async () => {
    const stored = await hashPassword(PASSWORD, LOG_N);
    expect(hashCost(stored)).toBe(LOG_N);
    expect(needsRehash(stored, LOG_N)).toBe(false);
    expect(needsRehash(stored, LOG_N + 1)).toBe(true);
    expect(needsRehash(await hashPassword(PASSWORD, LOG_N + 1), LOG_N)).toBe(true);
  });

  it('has no cost for a value that is not one of our hashes', () => {
    expect(hashCost('garbage')).toBeUndefined();
    expect(hashCost('')).toBeUndefined();
  });
});

describe('dummyHash', () => {
  it('is made at the cost asked for, once per cost', async () => {
    expect(hashCost(await dummyHash(DEFAULT_LOG_N))).toBe(DEFAULT_LOG_N);
    expect(hashCost(await dummyHash(LOG_N))).toBe(LOG_N);
    expect(hashCost(await dummyHash(11))).toBe(11);
    expect(await dummyHash(11)).toBe(await dummyHash(11));
  });
});
