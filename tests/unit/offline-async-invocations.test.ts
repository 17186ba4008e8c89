/**
 * scripts/offline-async-invocations.cjs, preloaded into serverless-offline: a rejection nobody
 * handles (an asynchronous invocation that timed out) is logged, and the process carries on. Real
 * Node processes, with and without the preload.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { offlineNodeOptions } from '../../scripts/offline-server';

// What serverless-offline does with an 'Event' invocation: start it, never await it.
const FIRE_AND_FORGET = `
Promise.reject(new Error('[504] - Lambda timeout.'));
setTimeout(() => console.log('still serving'), 100);
`;

const run = (nodeOptions: string) =>
  spawnSync(process.execPath, ['-e', FIRE_AND_FORGET], {
    env: { ...process.env, NODE_OPTIONS: nodeOptions },
    encoding: 'utf8',
    timeout: 30_000,
  });

describe('the serverless-offline preload for asynchronous invocations', () => {
  it('without it, an unhandled rejection ends the process', () => {
    const plain = run('');
    expect(plain.status).not.toBe(0);
    expect(plain.stdout).not.toContain('still serving');
  });

  it('with it, the rejection is logged with its error and the process carries on', () => {
    const preloaded = run(offlineNodeOptions(''));
    expect(preloaded.status).toBe(0);
    expect(preloaded.stdout).toContain('still serving');
    expect(preloaded.stderr).toContain('unhandled rejection in serverless-offline');
    expect(preloaded.stderr).toContain('[504] - Lambda timeout.');
  });

  it("keeps the caller's own NODE_OPTIONS", () => {
    expect(offlineNodeOptions('--max-old-space-size=512')).toMatch(
      /^--max-old-space-size=512 --require ".*offline-async-invocations\.cjs"$/,
    );
  });
});
