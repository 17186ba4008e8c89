/**
 * Each engine stopped and restarted under a running backend: the clients fail fast with a typed
 * error, /api/health says 503 naming the store within 5 s, and everything recovers on later
 * calls without restarting serverless-offline or the warm client.
 *
 * The time bounds below are correctness limits (an outage must not hang a request towards the
 * API's 30 s timeout), not performance targets.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { resetConfig } from '../../lib/config';
import { closeCassandra, getCassandra, pingCassandra } from '../../lib/db/cassandra';
import { closeDynamo, getDynamo, pingDynamo } from '../../lib/db/dynamo';
import { DatabaseUnavailableError, type Engine } from '../../lib/db/errors';
import { closeMongo, getMongo, pingMongo } from '../../lib/db/mongo';
import { localEngines, stackStatus, startStack, stopStack } from '../../scripts/stack';
import type { EngineName } from '../../scripts/stack/settings';
import { stackSettings } from '../../scripts/stack/settings';

/** The environment before this file points it at the stack: it says which engines are local. */
const userEnv = { ...process.env };

/** An outage must surface well inside this; the API Gateway would give up at 30 s. */
const FAIL_FAST_MS = 8_000;
/** A restarted engine must be usable again within this (Cassandra needs ~15 s to boot here). */
const RECOVERY_MS = 60_000;

interface Case {
  engine: EngineName;
  driverEngine: Engine;
  component: 'mongo' | 'messages' | 'sessions';
  ping: () => Promise<void>;
  client: () => Promise<unknown>;
  close: () => Promise<void>;
}

const cases: Case[] = [
  {
    engine: 'mongo',
    driverEngine: 'mongo',
    component: 'mongo',
    ping: pingMongo,
    client: getMongo,
    close: closeMongo,
  },
  {
    engine: 'cassandra',
    driverEngine: 'cassandra',
    component: 'messages',
    ping: pingCassandra,
    client: getCassandra,
    close: closeCassandra,
  },
  {
    engine: 'dynamodb',
    driverEngine: 'dynamodb',
    component: 'sessions',
    ping: pingDynamo,
    client: async () => getDynamo(),
    close: async () => closeDynamo(),
  },
];

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; error?: unknown }> {
  const started = performance.now();
  try {
    await work();
    return { ms: performance.now() - started };
  } catch (error) {
    return { ms: performance.now() - started, error };
  }
}

async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = performance.now();
  let last = 'the check kept answering false';
  while (performance.now() - started < timeoutMs) {
    try {
      if (await check()) return performance.now() - started;
    } catch (error) {
      // While an engine comes back, a slow or failed answer is "not yet"; it only fails the test
      // if recovery never comes, and then it is reported.
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`not recovered within ${timeoutMs} ms (last: ${last})`);
}

async function healthOverHttp(): Promise<{ status: number; body: Record<string, unknown> }> {
  // AbortSignal.timeout makes a hanging request fail the test instead of waiting forever.
  const response = await fetch(`${inject('offlineUrl')}/api/health`, {
    signal: AbortSignal.timeout(5_000),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Only engines this checkout runs can be stopped; those configured elsewhere are not ours to stop. */
const local = new Set(localEngines(stackSettings(userEnv)).map((engine) => engine.name));

describe.each(cases.filter((c) => local.has(c.engine)))('$engine outage', (c) => {
  beforeAll(async () => {
    const report = (await stackStatus(userEnv)).find((r) => r.engine === c.engine);
    if (report?.state !== 'running') {
      throw new Error(
        `${c.engine} is ${report?.state ?? 'unknown'}, not running under this checkout's stack (another checkout's engine on the same port?); stop that one first`,
      );
    }
    Object.assign(process.env, inject('stackEnv'), { LOG_LEVEL: 'error' });
    resetConfig();
  });
  afterAll(async () => {
    await startStack({ only: [c.engine], env: userEnv });
    await c.close();
  });

  it('fails fast and typed on a warm client, reports 503, and recovers on the same client', async () => {
    await c.ping();
    const warm = await c.client();

    await stopStack([c.engine], undefined, userEnv);

    const failure = await timed(c.ping);
    expect(failure.error).toBeInstanceOf(DatabaseUnavailableError);
    expect((failure.error as DatabaseUnavailableError).engine).toBe(c.driverEngine);
    expect(failure.ms).toBeLessThan(FAIL_FAST_MS);

    const down = await healthOverHttp();
    expect(down.status).toBe(503);
    expect(down.body[c.component]).toBe('down');
    expect(String(down.body.message)).toContain(c.component);

    await startStack({ only: [c.engine], env: userEnv });

    await eventually(async () => (await timed(c.ping)).error === undefined, RECOVERY_MS);
    expect(await c.client()).toBe(warm);
    await eventually(async () => (await healthOverHttp()).status === 200, RECOVERY_MS);
  });

  it('fails fast and typed on a cold connect, then connects once the engine is back', async () => {
    await c.close();
    await stopStack([c.engine], undefined, userEnv);

    const failure = await timed(c.ping);
    expect(failure.error).toBeInstanceOf(DatabaseUnavailableError);
    expect(failure.ms).toBeLessThan(FAIL_FAST_MS);

    await startStack({ only: [c.engine], env: userEnv });
    await eventually(async () => (await timed(c.ping)).error === undefined, RECOVERY_MS);
  });
});
