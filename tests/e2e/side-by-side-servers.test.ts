/**
 * Two serverless-offline servers of one checkout (say `npm run dev` and the e2e harness) run side
 * by side: each builds into and serves from its own folder, so one starting or stopping never
 * takes the bundles from under the other.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { drivenServerSettings, startOffline } from '../../scripts/offline-server';

describe('two servers in one checkout', () => {
  it('keeps serving from its own bundles after another server started and stopped', async () => {
    const first = { url: inject('offlineUrl'), buildDir: inject('offlineBuildDir') };
    const second = await startOffline({ ...inject('stackEnv'), ...drivenServerSettings() });
    try {
      expect(second.buildDir).not.toBe(first.buildDir);
      expect((await fetch(`${second.url}/api/health`)).status).toBe(200);
    } finally {
      await second.stop();
    }
    expect(existsSync(second.buildDir)).toBe(false);
    // The first server's bundles are all still there for its next cold start...
    const bundles = join(first.buildDir, '.build', 'functions', 'service');
    expect(readdirSync(bundles)).toEqual(expect.arrayContaining(['get-openapi.js']));
    // ...and it still answers, including on a worker that has to load its bundle now.
    const replies = await Promise.all(
      Array.from({ length: 4 }, () => fetch(`${first.url}/api/openapi.json`)),
    );
    expect(replies.map((reply) => reply.status)).toEqual([200, 200, 200, 200]);
    // A whole second server is built and started here: tens of seconds on a busy machine
    // (startOffline itself gives up after 90 s).
  }, 150_000);
});
