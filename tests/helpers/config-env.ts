/**
 * A well-formed environment for lib/config in tests that need one but reach no engine: a Mongo URL
 * nobody listens on and a name for every DynamoDB table serverless.yml declares (so a new table
 * needs no edit here).
 */
import { afterAll, beforeEach, vi } from 'vitest';
import { resetConfig } from '../../lib/config';
import { serverlessTables } from '../../scripts/stack/tables';

export function configEnvFor(name: string): Record<string, string> {
  const tables = Object.fromEntries(
    serverlessTables().map(({ envVar, input }) => [envVar, `${name}-${input.TableName}`]),
  );
  return { MONGODB_URL: `mongodb://127.0.0.1:1/${name}`, ...tables };
}

/**
 * For a test file of in-process handlers: sets configEnvFor(name) now (handlers read their
 * configuration when the file is collected), and puts process.env back after the file.
 * `apply(extra)` sets it again with overrides, for one test.
 */
export function useConfigEnv(name: string): { apply: (extra?: Record<string, string>) => void } {
  const saved = { ...process.env };
  const apply = (extra: Record<string, string> = {}) => {
    Object.assign(process.env, configEnvFor(name));
    delete process.env.HTTP_MAX_BODY_BYTES;
    Object.assign(process.env, extra);
    resetConfig();
  };
  apply();
  afterAll(() => {
    vi.restoreAllMocks();
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
    resetConfig();
  });
  return { apply };
}

/** The JSON lines the process-wide logger writes during each test of the file, parsed. */
export function captureLogLines(): { lines: () => Record<string, unknown>[] } {
  let lines: Record<string, unknown>[] = [];
  beforeEach(() => {
    lines = [];
    vi.restoreAllMocks();
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      for (const line of String(chunk).split('\n')) {
        if (line.trim().startsWith('{')) lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      return true;
    });
  });
  return { lines: () => lines };
}
