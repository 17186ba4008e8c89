/**
 * Password hashing with scrypt (node:crypto): a random salt per password, the cost parameters
 * stored with the hash (so they can be raised later without breaking old hashes), and a
 * constant-time comparison.
 *
 * Stored form: `scrypt$<log2 N>$<r>$<p>$<salt base64>$<hash base64>`. When the configured cost
 * changes, a hash at another cost is replaced at the user's next successful login (needsRehash).
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** OWASP's scrypt minimum: N = 2^17, r = 8, p = 1 (128 MiB, ~0.2 s on one Lambda vCPU). */
export const DEFAULT_LOG_N = 17;
/** The accepted range of costs: 2^10 (tests) to 2^18 (256 MiB, the most a Lambda should spend). */
export const MIN_LOG_N = 10;
export const MAX_LOG_N = 18;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;
const SALT_BYTES = 16;
const KEY_BYTES = 32;

function derive(
  password: string,
  salt: Buffer,
  logN: number,
  r: number,
  p: number,
): Promise<Buffer> {
  const N = 2 ** logN;
  // scrypt needs 128 * N * r bytes; allow that plus headroom (Node's default cap is 32 MiB).
  const maxmem = 128 * N * r * 2;
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_BYTES, { N, r, p, maxmem }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** Hashes `password` with a fresh salt; `logN` is the cost (tests use a low one to stay fast). */
export async function hashPassword(password: string, logN = DEFAULT_LOG_N): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, logN, BLOCK_SIZE, PARALLELISM);
  return [
    'scrypt',
    logN,
    BLOCK_SIZE,
    PARALLELISM,
    salt.toString('base64'),
    key.toString('base64'),
  ].join('$');
}

const STORED = /^scrypt\$(\d{1,2})\$(\d{1,2})\$(\d{1,2})\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;

/** True when `password` matches `stored`; false for a wrong password or an unreadable hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const match = STORED.exec(stored);
  if (!match) return false;
  const [, logN, r, p, salt, hash] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  // Parameters come from the database: accept only what hashPassword writes (r = 8, p = 1, a cost
  // in range), so a corrupt row can neither throw nor make us allocate gigabytes.
  const cost = Number(logN);
  if (
    cost < MIN_LOG_N ||
    cost > MAX_LOG_N ||
    Number(r) !== BLOCK_SIZE ||
    Number(p) !== PARALLELISM
  ) {
    return false;
  }
  const expected = Buffer.from(hash, 'base64');
  if (expected.length !== KEY_BYTES) return false;
  const actual = await derive(password, Buffer.from(salt, 'base64'), cost, BLOCK_SIZE, PARALLELISM);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** The cost (log2 N) recorded in a stored hash; undefined when it is not one of ours. */
export function hashCost(stored: string): number | undefined {
  const match = STORED.exec(stored);
  return match ? Number(match[1]) : undefined;
}

/**
 * True when `stored` was made at another cost than `logN` (the configured one): verified with
 * the right password, it should be hashed again at `logN`, so raising PASSWORD_HASH_LOG_N
 * reaches existing accounts, and lowering it stops costing their logins more.
 */
export function needsRehash(stored: string, logN: number): boolean {
  return hashCost(stored) !== logN;
}

/**
 * A hash of a random, discarded password at the default cost, made once offline: an unknown
 * username is verified against it, so even the first such login on a cold instance costs one
 * scrypt, like a real one.
 */
const DEFAULT_DUMMY_HASH =
  'scrypt$17$8$1$3A/XpIl5q5QjBcHpKnBsMA==$8gsjxHDn0gVEgzELeMljETpFfPCsf5eVYl1WfchqKxc=';
const dummyHashes = new Map<number, Promise<string>>([
  [DEFAULT_LOG_N, Promise.resolve(DEFAULT_DUMMY_HASH)],
]);

/** The dummy hash at cost `logN`, made once per cost and instance. */
export function dummyHash(logN: number): Promise<string> {
  let dummy = dummyHashes.get(logN);
  if (!dummy) {
    dummy = hashPassword(randomBytes(16).toString('hex'), logN);
    dummyHashes.set(logN, dummy);
  }
  return dummy;
}

/**
 * Spends the same time as a real verification, for a username that does not exist, so response
 * time does not reveal which usernames are registered. `logN` must be the configured cost: the
 * hashes of real users converge on it (needsRehash), so a dummy at any other cost would make
 * unknown usernames answer measurably faster or slower.
 */
export async function verifyAgainstDummy(password: string, logN: number): Promise<false> {
  await verifyPassword(password, await dummyHash(logN));
  return false;
}
