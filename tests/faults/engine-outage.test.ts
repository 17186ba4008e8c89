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
import { ensureTables, serverlessTables } from '../../scripts/stack/tables';
import { Client, newUser } from '../helpers/http-client';
import { connect, RefusedUpgrade, sessionCookieOf } from '../helpers/ws-client';
import { E2E_TEACHER_CODE } from '../setup/offline';

/** The environment before this file points it at the stack: it says which engines are local. */
const userEnv = { ...process.env };

/**
 * Starts `engine` again. dynalite keeps its tables in memory: the stack re-creates its own, and the
 * e2e server's (stores of its own, see tests/setup/offline.ts) are re-created here.
 */
async function restartEngine(engine: EngineName): Promise<void> {
  const env = await startStack({ only: [engine], env: userEnv });
  if (engine === 'dynamodb' && env.DYNAMODB_ENDPOINT) {
    await ensureTables(env.DYNAMODB_ENDPOINT, serverlessTables(), inject('offlineTablePrefix'));
  }
}

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

async function timed<T>(
  work: () => Promise<T>,
): Promise<{ ms: number; value?: T; error?: unknown }> {
  const started = performance.now();
  try {
    const value = await work();
    return { ms: performance.now() - started, value };
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

/**
 * For a describe block that stops `c.engine`: it must run under this checkout's stack, the
 * in-process clients use the stack's environment, and the engine is started again afterwards.
 */
function useEngineUnderTest(c: Case): void {
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
    await restartEngine(c.engine);
    await c.close();
  });
}

describe.each(cases.filter((c) => local.has(c.engine)))('$engine outage', (c) => {
  useEngineUnderTest(c);

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

    await restartEngine(c.engine);

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

    await restartEngine(c.engine);
    await eventually(async () => (await timed(c.ping)).error === undefined, RECOVERY_MS);
  });
});

// The live chat keeps its connections in DynamoDB, beside the sessions it authenticates with.
describe.each(cases.filter((c) => c.engine === 'dynamodb' && local.has(c.engine)))(
  '$engine outage: the live chat',
  (c) => {
    useEngineUnderTest(c);

    it('refuses a WebSocket connect and POST /api/messages with 503, fast, then serves both again', async () => {
      const teacher = new Client();
      const account = newUser({ role: 'teacher', teacherCode: E2E_TEACHER_CODE });
      expect((await teacher.post('/api/auth/register', account)).status).toBe(201);
      const workspace = await teacher.post('/api/workspaces', { name: 'Outage room' });
      const workspaceId = (workspace.body as { id: number }).id;
      const channel = await teacher.post(`/api/workspaces/${workspaceId}/channels`, {
        name: 'general',
        type: 'text',
      });
      const channelId = (channel.body as { id: number }).id;
      // Both work before the outage, and their functions are warm: the bounds below measure the
      // outage, not a cold start.
      await (await connect({ cookie: sessionCookieOf(teacher) })).close();
      const sent = await teacher.post('/api/messages', { channelId, content: 'before' });
      expect(sent.status).toBe(201);

      await stopStack([c.engine], undefined, userEnv);

      // Refused at the upgrade: the socket never opens, so no connection exists to keep.
      const refused = await timed(() => connect({ cookie: sessionCookieOf(teacher) }));
      expect(refused.error).toBeInstanceOf(RefusedUpgrade);
      expect((refused.error as RefusedUpgrade).status).toBe(503);
      expect(refused.ms).toBeLessThan(FAIL_FAST_MS);

      const post = await timed(() =>
        teacher.post('/api/messages', { channelId, content: 'during the outage' }),
      );
      expect(post.error).toBeUndefined();
      expect(post.value?.status).toBe(503);
      expect(post.ms).toBeLessThan(FAIL_FAST_MS);

      await restartEngine(c.engine);
      await eventually(async () => (await timed(c.ping)).error === undefined, RECOVERY_MS);
      await eventually(async () => (await healthOverHttp()).status === 200, RECOVERY_MS);

      // The local engine keeps its data in memory: the session is gone with it, so sign in again.
      const login = await teacher.post('/api/auth/login', {
        username: account.username,
        password: account.password,
      });
      expect(login.status).toBe(200);
      const live = await connect({ cookie: sessionCookieOf(teacher) });
      await live.close();
      const again = await teacher.post('/api/messages', { channelId, content: 'after' });
      expect(again.status).toBe(201);
    });
  },
);
