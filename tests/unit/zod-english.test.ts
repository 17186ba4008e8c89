/**
 * Bundled code validates with zod/mini, which (unlike classic zod) registers no locale: every issue
 * would say only "Invalid input", and a 400 for an unknown key would no longer name the key.
 * lib/zod-english.ts registers English. Vitest's own process may already hold classic zod's
 * English, so this bundles the request validation, the request schemas and the config parser as a
 * Lambda bundle does (checking no classic zod is in it) and reads their messages in a fresh Node.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { lambdaBundleOptions } from '../helpers/bundle';

const dir = mkdtempSync(join(tmpdir(), 'zod-english-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What the bundle prints: the issues of a 400 for a body and a ConfigError's message. */
const entry = `
import { parseRequestPart } from './lib/http/validation';
import { parseConfig } from './lib/config';
import { insertUserSchema } from './shared/schema';
const body = { username: 'al', password: 'password1', name: 'Al', email: 'al@example.com', isAdmin: true };
let issues, configMessage;
try { parseRequestPart(insertUserSchema, body, 'body'); } catch (error) { issues = error.issues; }
try { parseConfig({ MONGODB_URL: 'mongodb://h/db', SESSIONS_TABLE: 'sessions', WORKER_LEASES_TABLE: 'leases',
  IDEMPOTENCY_TABLE: 'idemp', CONNECTIONS_TABLE: 'conn', CHANNEL_SUBSCRIPTIONS_TABLE: 'subs', REALTIME_TICKETS_TABLE: 'tickets', MONGODB_MAX_POOL_SIZE: '1000' }); } catch (error) { configMessage = error.message; }
console.log(JSON.stringify({ issues, configMessage }));
`;

function runBundled(): { inputs: string[]; output: { issues: unknown; configMessage: string } } {
  const outfile = join(dir, 'messages.js');
  const result = buildSync({
    ...lambdaBundleOptions(entry),
    outfile,
    metafile: true,
    logLevel: 'silent',
  });
  const output = JSON.parse(execFileSync(process.execPath, [outfile], { encoding: 'utf8' }));
  return { inputs: Object.keys(result.metafile.inputs), output };
}

describe('zod messages in bundles without classic zod', () => {
  const { inputs, output } = runBundled();

  it('bundles no classic zod (else this test would prove nothing)', () => {
    expect(inputs.filter((path) => path.includes('zod/v4/classic'))).toEqual([]);
  });

  it('a 400 names the unknown key and says why each field failed, in English', () => {
    expect(output.issues).toEqual([
      {
        path: 'body.username',
        message: 'Too small: expected string to have >=3 characters',
      },
      { path: 'body', message: 'Unrecognized key: "isAdmin"' },
    ]);
  });

  it('a ConfigError says why a variable is bad', () => {
    expect(output.configMessage).toBe(
      'Invalid environment: MONGODB_MAX_POOL_SIZE Too big: expected number to be <=100',
    );
  });
});
