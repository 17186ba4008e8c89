/** The assignment state machine (lib/assignments/status.ts): every edge, allowed and refused. */
import { describe, expect, it } from 'vitest';
import {
  type AssignmentActor,
  type AssignmentState,
  applyMove,
  changes,
  initialState,
  isAllowedEdge,
} from '../../lib/assignments/status';
import { type AssignmentStatus, assignmentStatuses } from '../../shared/schema';

const NOW = new Date('2030-06-01T12:00:00Z');
const PAST = new Date('2030-05-01T00:00:00Z');
const FUTURE = new Date('2030-07-01T00:00:00Z');
const STARTED_AT = new Date('2030-04-01T00:00:00Z');

const state = (
  status: AssignmentStatus,
  extra: Partial<AssignmentState> = {},
): AssignmentState => ({
  status,
  dueDate: FUTURE,
  startedAt: null,
  ...extra,
});

/** The allowed edges, written out independently of the module's table. */
const ALLOWED = new Set([
  'student:pending->started',
  'student:pending->completed',
  'student:started->completed',
  'job:pending->overdue',
  'job:started->overdue',
  'teacher:pending->overdue',
  'teacher:started->overdue',
  'teacher:overdue->pending',
  'teacher:overdue->started',
]);
const actors: AssignmentActor[] = ['student', 'teacher', 'job'];

describe('isAllowedEdge', () => {
  const all = actors.flatMap((by) =>
    assignmentStatuses.flatMap((from) => assignmentStatuses.map((to) => ({ by, from, to }))),
  );
  it.each(all)('$by: $from -> $to', ({ by, from, to }) => {
    expect(isAllowedEdge(from, to, by)).toBe(ALLOWED.has(`${by}:${from}->${to}`));
  });
});

describe('applyMove by the student', () => {
  const cases = assignmentStatuses.flatMap((from) =>
    (['started', 'completed'] as const).map((to) => ({ from, to })),
  );
  it.each(cases)('$from -> $to', ({ from, to }) => {
    const outcome = applyMove(state(from), { by: 'student', status: to }, NOW);
    if (ALLOWED.has(`student:${from}->${to}`)) {
      expect(outcome).toEqual({
        ok: true,
        next: state(to, to === 'started' ? { startedAt: NOW } : {}),
      });
    } else {
      expect(outcome.ok).toBe(false);
      if (!outcome.ok) expect(outcome.reason).toMatch(new RegExp(`${from}`));
    }
  });

  it('keeps when it was started when completing', () => {
    const outcome = applyMove(
      state('started', { startedAt: STARTED_AT }),
      { by: 'student', status: 'completed' },
      NOW,
    );
    expect(outcome).toEqual({ ok: true, next: state('completed', { startedAt: STARTED_AT }) });
  });

  it('tells the student of an overdue assignment that its teacher must move the due date', () => {
    const outcome = applyMove(state('overdue'), { by: 'student', status: 'completed' }, NOW);
    expect(outcome).toEqual({
      ok: false,
      reason: expect.stringMatching(/overdue.*teacher moves the due date/),
    });
  });
});

describe('applyMove by the teacher (a due-date change)', () => {
  it.each([
    ['pending', null, FUTURE, 'pending'],
    ['pending', null, PAST, 'overdue'],
    ['started', STARTED_AT, FUTURE, 'started'],
    ['started', STARTED_AT, PAST, 'overdue'],
    ['overdue', null, FUTURE, 'pending'],
    ['overdue', STARTED_AT, FUTURE, 'started'],
    ['overdue', null, PAST, 'overdue'],
    ['overdue', STARTED_AT, PAST, 'overdue'],
    ['completed', STARTED_AT, FUTURE, 'completed'],
    ['completed', null, PAST, 'completed'],
  ] as const)('%s (started %s), due %s -> %s', (from, startedAt, dueDate, to) => {
    const current = state(from, { startedAt, dueDate: from === 'overdue' ? PAST : FUTURE });
    const outcome = applyMove(current, { by: 'teacher', dueDate }, NOW);
    expect(outcome).toEqual({ ok: true, next: { status: to, dueDate, startedAt } });
    if (to !== from) expect(isAllowedEdge(from, to, 'teacher')).toBe(true);
  });

  it('treats a due date equal to now as not past (like the job)', () => {
    expect(
      applyMove(state('overdue', { dueDate: PAST }), { by: 'teacher', dueDate: NOW }, NOW),
    ).toEqual({ ok: true, next: state('pending', { dueDate: NOW }) });
  });
});

describe('applyMove by the job', () => {
  it.each(assignmentStatuses.flatMap((from) => [PAST, NOW, FUTURE].map((due) => ({ from, due }))))(
    '$from due $due',
    ({ from, due }) => {
      const outcome = applyMove(state(from, { dueDate: due }), { by: 'job' }, NOW);
      if ((from === 'pending' || from === 'started') && due === PAST) {
        expect(outcome).toEqual({ ok: true, next: state('overdue', { dueDate: due }) });
      } else {
        expect(outcome.ok).toBe(false);
      }
    },
  );
});

describe('changes', () => {
  it('sees a status, due date or start change, and nothing else', () => {
    const base = state('pending');
    expect(changes(base, { ...base })).toBe(false);
    expect(changes(base, { ...base, dueDate: new Date(FUTURE.getTime()) })).toBe(false);
    expect(changes(base, { ...base, status: 'started' })).toBe(true);
    expect(changes(base, { ...base, dueDate: PAST })).toBe(true);
    expect(changes(base, { ...base, startedAt: NOW })).toBe(true);
  });
});

describe('initialState', () => {
  it('is pending, or overdue when the due date is already past', () => {
    expect(initialState(FUTURE, NOW)).toEqual(state('pending'));
    expect(initialState(NOW, NOW)).toEqual(state('pending', { dueDate: NOW }));
    expect(initialState(PAST, NOW)).toEqual(state('overdue', { dueDate: PAST }));
  });
});
