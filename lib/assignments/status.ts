/**
 * The state machine of a test assignment's status, the one place that says which change is
 * allowed. Pure: storage applies it to the state it read and writes the result only if that state
 * is still current (lib/storage/mongo/assignments.ts), so a refused edge can never be written.
 *
 *   (new) --> pending, or overdue when assigned with a due date already past
 *   pending --student--> started --student--> completed (final)
 *   pending --student--> completed
 *   pending | started --job (due date passed)--> overdue
 *   pending | started --teacher (due date moved into the past)--> overdue
 *   overdue --teacher (due date moved into the future)--> started if it had been started, else pending
 *
 * The teacher's due-date change moves the due date whatever the status (a completed assignment
 * stays completed; an overdue one with a due date still past stays overdue). Nothing else moves
 * a status: a student cannot complete or start an overdue assignment (its teacher extends it
 * first), and nobody leaves completed.
 */
import type { AssignmentStatus } from '../../shared/schema';

/** Who moves an assignment: its student, the teacher who assigned it, or the scheduled job. */
export type AssignmentActor = 'student' | 'teacher' | 'job';

/** The statuses a student may ask for. */
export type StudentTarget = 'started' | 'completed';

/** What the machine reads and writes of an assignment. */
export interface AssignmentState {
  status: AssignmentStatus;
  dueDate: Date;
  /** When the student started it (null if never): an overdue assignment revives to started. */
  startedAt: Date | null;
}

/** A requested change: the student's status, the teacher's due date, or the job's due check. */
export type AssignmentMove =
  | { by: 'student'; status: StudentTarget }
  | { by: 'teacher'; dueDate: Date }
  | { by: 'job' };

/** Every status edge and who may move it; a status kept as it is is not an edge. */
export const ASSIGNMENT_EDGES: readonly {
  from: AssignmentStatus;
  to: AssignmentStatus;
  by: AssignmentActor;
}[] = [
  { from: 'pending', to: 'started', by: 'student' },
  { from: 'pending', to: 'completed', by: 'student' },
  { from: 'started', to: 'completed', by: 'student' },
  { from: 'pending', to: 'overdue', by: 'job' },
  { from: 'started', to: 'overdue', by: 'job' },
  { from: 'pending', to: 'overdue', by: 'teacher' },
  { from: 'started', to: 'overdue', by: 'teacher' },
  { from: 'overdue', to: 'pending', by: 'teacher' },
  { from: 'overdue', to: 'started', by: 'teacher' },
];

/** Whether `by` may move the status from `from` to `to` (`from === to` is no move: false). */
export function isAllowedEdge(
  from: AssignmentStatus,
  to: AssignmentStatus,
  by: AssignmentActor,
): boolean {
  return ASSIGNMENT_EDGES.some((e) => e.from === from && e.to === to && e.by === by);
}

/** The statuses the job turns overdue once their due date has passed. */
export const OVERDUE_CANDIDATES: readonly AssignmentStatus[] = ['pending', 'started'];

/** Past due at `now`: the job's and the teacher's test (a due date equal to now is not past). */
export const isPastDue = (dueDate: Date, now: Date) => dueDate.getTime() < now.getTime();

/** The state of a new assignment due at `dueDate`, assigned at `now`. */
export function initialState(dueDate: Date, now: Date): AssignmentState {
  return { status: isPastDue(dueDate, now) ? 'overdue' : 'pending', dueDate, startedAt: null };
}

/** The outcome of a move: the new state, or why the machine refuses it. */
export type MoveOutcome = { ok: true; next: AssignmentState } | { ok: false; reason: string };

const refuse = (reason: string): MoveOutcome => ({ ok: false, reason });

/** The state after `move` at `now`, or the reason it is refused. */
export function applyMove(current: AssignmentState, move: AssignmentMove, now: Date): MoveOutcome {
  const { status } = current;
  switch (move.by) {
    case 'student': {
      if (!isAllowedEdge(status, move.status, 'student')) {
        return refuse(
          status === 'overdue'
            ? `The assignment is overdue; it cannot be ${move.status} unless its teacher moves the due date`
            : `The assignment is ${status}; it cannot be ${move.status} now`,
        );
      }
      const startedAt = move.status === 'started' ? now : current.startedAt;
      return { ok: true, next: { ...current, status: move.status, startedAt } };
    }
    case 'teacher': {
      const past = isPastDue(move.dueDate, now);
      let next: AssignmentStatus = status;
      if (status === 'overdue' && !past) next = current.startedAt ? 'started' : 'pending';
      else if (OVERDUE_CANDIDATES.includes(status) && past) next = 'overdue';
      return { ok: true, next: { ...current, status: next, dueDate: move.dueDate } };
    }
    case 'job': {
      if (!OVERDUE_CANDIDATES.includes(status) || !isPastDue(current.dueDate, now)) {
        return refuse(`The assignment is ${status}, due ${current.dueDate.toISOString()}`);
      }
      return { ok: true, next: { ...current, status: 'overdue' } };
    }
  }
}

/** Whether `next` differs from `current` (an unchanged state needs no write). */
export function changes(current: AssignmentState, next: AssignmentState): boolean {
  return (
    current.status !== next.status ||
    current.dueDate.getTime() !== next.dueDate.getTime() ||
    (current.startedAt?.getTime() ?? null) !== (next.startedAt?.getTime() ?? null)
  );
}
