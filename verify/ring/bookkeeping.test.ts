import { describe, expect, it } from 'vitest';
import { readBack, type SentMessage } from './ledger';
import {
  judged,
  PhaseClock,
  phaseFigures,
  recoveredAt,
  recovery,
  type Sample,
  violation,
} from './phases';

const sent = (id: string, deleted: SentMessage['deleted'] = 'no'): SentMessage => ({
  id,
  channelId: 1,
  content: `c${id}`,
  deleted,
});
const stored = (id: string, content = `c${id}`, channelId = 1) => ({ id, channelId, content });

describe('reading the acknowledged messages back', () => {
  it('finds nothing wrong when every kept message is there once and no deleted one is', () => {
    const result = readBack([sent('1'), sent('2'), sent('3', 'yes')], [stored('1'), stored('2')]);
    expect(result).toEqual({
      lost: [],
      duplicateIds: 0,
      storedTwice: 0,
      resurrected: [],
      strays: 0,
      expected: 2,
    });
  });

  it('counts a missing message, or one with other content or in another channel, as lost', () => {
    const result = readBack(
      [sent('1'), sent('2'), sent('3')],
      [stored('2', 'changed'), stored('3', 'c3', 2)],
    );
    expect(result.lost.map((m) => m.id)).toEqual(['1', '2', '3']);
  });

  it('counts an id returned twice and one send stored under two ids', () => {
    const result = readBack(
      [sent('1'), sent('2')],
      [stored('1'), stored('1'), stored('2'), stored('9', 'c2')],
    );
    expect(result.duplicateIds).toBe(1);
    expect(result.storedTwice).toBe(1);
    expect(result.lost).toEqual([]);
  });

  it('flags a message back after an acknowledged delete, not one whose delete went unanswered', () => {
    const result = readBack([sent('1', 'yes'), sent('2', 'unknown')], [stored('1'), stored('2')]);
    expect(result.resurrected.map((m) => m.id)).toEqual(['1']);
    expect(result.expected).toBe(0);
  });

  it('counts a stored message no send accounts for, but not an unacknowledged send', () => {
    const result = readBack(
      [sent('1')],
      [stored('1'), stored('7', 'late'), stored('8', 'odd')],
      ['late'],
    );
    expect(result.strays).toBe(1);
  });
});

const sample = (over: Partial<Sample>): Sample => ({
  route: 'send',
  startedAt: 0,
  ms: 10,
  status: 201,
  ...over,
});

describe('phases', () => {
  it('ends each phase where the next begins, and the last one at end()', () => {
    let now = 0;
    const clock = new PhaseClock(() => now);
    clock.mark('a', 0, 'ok');
    now = 10;
    clock.mark('b', 1, 'unavailable');
    now = 25;
    clock.end();
    expect(clock.phases.map((p) => [p.name, p.from, p.to])).toEqual([
      ['a', 0, 10],
      ['b', 10, 25],
    ]);
  });

  it('fails anything but success where all must succeed, and allows 503 elsewhere', () => {
    const ok = { name: 'ok', step: 1, expect: 'ok', from: 0, to: 100 } as const;
    const moving = { ...ok, expect: 'transition' } as const;
    expect(violation(ok, sample({}))).toBeUndefined();
    expect(violation(ok, sample({ status: 503 }))).toBe('answered 503, expected 201');
    expect(violation(moving, sample({ status: 503 }))).toBeUndefined();
    expect(violation(moving, sample({ status: 500 }))).toBe('answered 500, expected 201 or 503');
    expect(violation(moving, sample({ status: 503, ms: 5_001 }))).toMatch(/after 5001 ms/);
    expect(violation(moving, sample({ status: 0, error: 'TimeoutError' }))).toMatch(/transport/);
  });

  it('counts serverless-offline’s own Lambda timeouts apart, not as failures', () => {
    const ok = { name: 'ok', step: 1, expect: 'ok', from: 0, to: 100 } as const;
    const timeout = sample({ status: 504, message: 'LambdaTimeoutError', ms: 10_100 });
    expect(violation(ok, timeout)).toBeUndefined();
    expect(violation(ok, sample({ status: 504, message: 'Gateway Timeout' }))).toBeDefined();
    const figures = phaseFigures(ok, [timeout, sample({})]);
    expect([figures.failed.length, figures.emulatorTimeouts]).toEqual([0, 1]);
  });

  it('fails a message-store success below quorum, but not the control route', () => {
    const down = { name: 'down', step: 2, expect: 'unavailable', from: 0, to: 100 } as const;
    expect(violation(down, sample({ status: 201 }))).toMatch(/below quorum/);
    expect(violation(down, sample({ route: 'control', status: 404 }))).toBeUndefined();
    expect(violation(down, sample({ route: 'control', status: 503 }))).toBeDefined();
  });

  it('judges in an unavailable phase only the requests that also finished in it', () => {
    const down = { name: 'down', step: 2, expect: 'unavailable', from: 0, to: 100 } as const;
    const samples = [sample({ startedAt: 50, ms: 10 }), sample({ startedAt: 95, ms: 10 })];
    expect(judged(down, samples)).toHaveLength(1);
    expect(judged({ ...down, expect: 'ok' }, samples)).toHaveLength(2);
  });

  it('leaves a request still in flight when the next phase takes nodes away to that change', () => {
    const ok = { name: 'ok', step: 1, expect: 'ok', from: 0, to: 100 } as const;
    const stopping = { ...ok, name: 'stopping', expect: 'transition', from: 100, to: 200 } as const;
    const caught = sample({ startedAt: 95, ms: 10, status: 503 });
    expect(phaseFigures(ok, [caught], stopping).failed).toEqual([]);
    expect(phaseFigures(ok, [caught], { ...stopping, expect: 'ok' }).failed).toEqual([caught]);
  });

  it('gives each phase its requests, failures, 503s and percentiles', () => {
    const phase = { name: 'p', step: 3, expect: 'ok', from: 0, to: 100 } as const;
    const samples = [10, 20, 30, 40].map((ms, i) => sample({ startedAt: i, ms }));
    samples.push(sample({ startedAt: 5, ms: 50, status: 503 }), sample({ startedAt: 200 }));
    const figures = phaseFigures(phase, samples);
    expect([figures.requests, figures.failed.length, figures.unavailable]).toEqual([5, 1, 1]);
    expect([figures.p50, figures.max]).toEqual([30, 50]);
  });

  it('has recovered once every message route succeeded since, and says when', () => {
    const routes = ['send', 'history', 'read', 'pin', 'unpin', 'delete'] as const;
    const ok = { send: 201, history: 200, read: 200, pin: 200, unpin: 200, delete: 204 };
    const samples = routes.map((route, i) =>
      sample({ route, startedAt: 100 + i, ms: 5, status: ok[route] }),
    );
    expect(recoveredAt(samples, 100)).toBe(110);
    expect(recoveredAt(samples.slice(1), 100)).toBeUndefined();
    expect(recoveredAt(samples, 103)).toBeUndefined();
    expect(recovery(samples, 103).missing).toEqual(['send', 'history', 'read']);
  });
});
