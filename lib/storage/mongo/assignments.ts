/**
 * Test assignments (one per student and test), moved only as lib/assignments/status allows.
 *
 * Every write of an existing assignment reads it (status, due date, revision r), applies the
 * state machine, claims revision r + 1 by inserting its transition document, and only then writes
 * with the filter "still at revision r". The conditional filter makes the write atomic on MongoDB;
 * the claim makes it so on FerretDB 1.x too, where an update is a read followed by a write of the
 * whole document: one writer per revision, and a writer that lost the claim learns that the state
 * moved meanwhile instead of overwriting it.
 */
import { type mongo, trusted } from 'mongoose';
import {
  type AssignmentTransitionDoc,
  AssignmentTransitionModel,
  sequences,
  type TestAssignmentDoc,
  TestAssignmentModel,
} from '../../../shared/mongo-schema';
import type { TestAssignment } from '../../../shared/schema';
import {
  type AssignmentActor,
  type AssignmentMove,
  type AssignmentState,
  applyMove,
  changes,
  initialState,
  OVERDUE_CANDIDATES,
} from '../../assignments/status';
import { withMongo } from '../../db/mongo';
import { StorageConflictError } from '../errors';
import type { AssignmentStorage } from '../storage';
import { nextIds } from './counters';
import { duplicateKeyIndexes } from './duplicate-key';
import { insertNew } from './insert-new';

const NO_ID = { _id: 0 } as const;

/**
 * A claim older than this has no live writer (every function times out within 25 s), so the next
 * writer completes it instead of waiting for a write that will never come.
 */
const STALE_CLAIM_MS = 60_000;

/** Rounds of a bulk assignment before giving up on students whose assignments keep changing. */
const ASSIGN_ROUNDS = 30;

/** Overdue candidates read per batch by the job. */
const OVERDUE_BATCH = 1_000;

export function toTestAssignment(doc: TestAssignmentDoc): TestAssignment {
  return {
    id: doc.id,
    testId: doc.testId,
    studentId: doc.studentId,
    assignedBy: doc.assignedBy,
    assignedDate: doc.assignedDate,
    dueDate: doc.dueDate,
    status: doc.status,
    notificationSent: doc.notificationSent,
  };
}

/** A stored assignment as read, with its Mongo `_id` (writes filter on it: FerretDB's fast path). */
type StoredAssignment = TestAssignmentDoc & { _id: mongo.ObjectId };

const stateOf = (doc: StoredAssignment): AssignmentState => ({
  status: doc.status,
  dueDate: doc.dueDate,
  startedAt: doc.startedAt ?? null,
});

const revisionOf = (doc: StoredAssignment) => doc.revision ?? 0;

/** Matches the document only while it is still at the revision read (absent reads as 0). */
const atRevision = (doc: StoredAssignment) => ({ _id: doc._id, revision: doc.revision ?? null });

function claimFor(
  doc: StoredAssignment,
  next: AssignmentState,
  by: AssignmentActor,
  at: Date,
): AssignmentTransitionDoc {
  const revision = revisionOf(doc) + 1;
  return {
    _id: `${doc.id}:${revision}`,
    assignmentId: doc.id,
    revision,
    by,
    from: doc.status,
    to: next.status,
    dueDate: next.dueDate,
    startedAt: next.startedAt,
    at,
  };
}

/** The write a claim stands for, whole (for a writer completing another's stale claim). */
const writeOf = (claim: AssignmentTransitionDoc) => ({
  $set: {
    status: claim.to,
    dueDate: claim.dueDate,
    startedAt: claim.startedAt,
    revision: claim.revision,
  },
});

/** What a claimed move changes on the document read: the revision and the fields that differ. */
function changedFields(doc: StoredAssignment, claim: AssignmentTransitionDoc) {
  return {
    ...(claim.to === doc.status ? {} : { status: claim.to }),
    ...(claim.dueDate.getTime() === doc.dueDate.getTime() ? {} : { dueDate: claim.dueDate }),
    ...((claim.startedAt?.getTime() ?? null) === (doc.startedAt?.getTime() ?? null)
      ? {}
      : { startedAt: claim.startedAt }),
    revision: claim.revision,
  };
}

/**
 * The updates of claimed moves, one `updateMany` per (revision read, change): a class moved
 * together is a few statements, not one per student (FerretDB runs every update statement as a
 * scan of the collection: 500 of them took longer than a function's timeout).
 */
function groupedUpdates(
  moves: { doc: StoredAssignment; claim: AssignmentTransitionDoc }[],
): mongo.AnyBulkWriteOperation[] {
  type Group = { ids: mongo.ObjectId[]; revision: number | null; set: Record<string, unknown> };
  const groups = new Map<string, Group>();
  for (const { doc, claim } of moves) {
    const set = changedFields(doc, claim);
    const revision = doc.revision ?? null;
    const key = JSON.stringify([revision, set]);
    const group: Group = groups.get(key) ?? { ids: [], revision, set };
    group.ids.push(doc._id);
    groups.set(key, group);
  }
  return [...groups.values()].map(({ ids, revision, set }) => ({
    updateMany: { filter: { _id: { $in: ids }, revision }, update: { $set: set } },
  }));
}

const changedMeanwhile = () =>
  new StorageConflictError(
    'The assignment changed while this request was applied (its status or due date); read it again',
    'status',
  );

/**
 * After losing the claim of the next revision: if that claim is stale and the document still at
 * the revision before it, writes what the claim recorded, so the assignment can move again. True
 * when it did.
 */
async function completeStaleClaim(doc: StoredAssignment, now: Date): Promise<boolean> {
  const claim = await AssignmentTransitionModel.findById(`${doc.id}:${revisionOf(doc) + 1}`).lean();
  if (!claim || now.getTime() - claim.at.getTime() < STALE_CLAIM_MS) return false;
  const result = await TestAssignmentModel.collection.updateOne(atRevision(doc), writeOf(claim));
  return result.modifiedCount > 0;
}

/** Claims in one batch; returns the ids of those another writer holds already. */
async function claimAll(claims: AssignmentTransitionDoc[]): Promise<Set<string>> {
  return new Set((await insertNew(AssignmentTransitionModel, claims)).map((claim) => claim._id));
}

/** One unordered bulk write; the indexes of operations that hit a unique key (lost races). */
async function bulkWriteAllowingDuplicates(
  ops: mongo.AnyBulkWriteOperation[],
): Promise<Set<number>> {
  if (ops.length === 0) return new Set();
  try {
    await TestAssignmentModel.collection.bulkWrite(ops, { ordered: false });
    return new Set();
  } catch (error) {
    const lost = duplicateKeyIndexes(error);
    if (!lost) throw error;
    return new Set(lost);
  }
}

/** Applies a student's or teacher's move to one assignment; 409 when refused or overtaken. */
async function moveOne(id: number, move: AssignmentMove): Promise<TestAssignment | undefined> {
  // A second round only after completing a stale claim that blocked the first.
  for (let round = 0; round < 2; round += 1) {
    const doc = (await TestAssignmentModel.findOne({ id }).lean()) as StoredAssignment | null;
    if (!doc) return undefined;
    const now = new Date();
    const outcome = applyMove(stateOf(doc), move, now);
    if (!outcome.ok) throw new StorageConflictError(outcome.reason, 'status');
    if (!changes(stateOf(doc), outcome.next)) return toTestAssignment(doc);
    const claim = claimFor(doc, outcome.next, move.by, now);
    if ((await claimAll([claim])).size === 0) {
      const written = await TestAssignmentModel.findOneAndUpdate(atRevision(doc), writeOf(claim), {
        returnDocument: 'after',
        lean: true,
      });
      // Only a writer completing our claim as stale (we took over 60 s) can have overtaken us.
      if (!written) throw changedMeanwhile();
      return toTestAssignment(written);
    }
    if (!(await completeStaleClaim(doc, now))) throw changedMeanwhile();
  }
  throw changedMeanwhile();
}

export const assignmentStore: AssignmentStorage = {
  assignTest: ({ testId, studentIds, assignedBy, dueDate }) =>
    withMongo(async () => {
      const wanted = [...new Set(studentIds)];
      const done = new Map<number, TestAssignment>();
      let remaining = wanted;
      for (let round = 0; round < ASSIGN_ROUNDS && remaining.length > 0; round += 1) {
        const now = new Date();
        const read = (await TestAssignmentModel.find({
          testId,
          studentId: trusted({ $in: remaining }),
        }).lean()) as StoredAssignment[];
        const existing = new Map(read.map((doc) => [doc.studentId, doc]));

        // New assignments: ids in one step, inserted below; the unique (studentId, testId) index
        // turns a concurrent insert of the same pair into a lost race, retried as an update.
        const newcomers = remaining.filter((studentId) => !existing.has(studentId));
        const ids = await nextIds(sequences.assignment, newcomers.length);
        const inserts: TestAssignmentDoc[] = newcomers.map((studentId, i) => ({
          id: ids[i] as number,
          testId,
          studentId,
          assignedBy,
          assignedDate: now,
          ...initialState(dueDate, now),
          notificationSent: false,
          revision: 0,
        }));

        // Existing ones: the teacher's due-date move, claimed in one batch.
        const moves: { doc: StoredAssignment; claim: AssignmentTransitionDoc }[] = [];
        for (const doc of existing.values()) {
          const outcome = applyMove(stateOf(doc), { by: 'teacher', dueDate }, now);
          if (!outcome.ok) throw new StorageConflictError(outcome.reason, 'status');
          if (changes(stateOf(doc), outcome.next)) {
            moves.push({ doc, claim: claimFor(doc, outcome.next, 'teacher', now) });
          } else {
            done.set(doc.studentId, toTestAssignment(doc));
          }
        }
        const lostClaims = await claimAll(moves.map((m) => m.claim));
        const claimed = moves.filter((m) => !lostClaims.has(m.claim._id));

        // Every insert and every claimed update in one bulk write.
        await bulkWriteAllowingDuplicates([
          ...inserts.map((document) => ({ insertOne: { document } })),
          ...groupedUpdates(claimed),
        ]);
        const ours = new Set([...inserts.map((d) => d.id), ...claimed.map((m) => m.doc.id)]);
        if (ours.size > 0) {
          const written = await TestAssignmentModel.find(
            { id: trusted({ $in: [...ours] }) },
            NO_ID,
          ).lean();
          for (const doc of written) done.set(doc.studentId, toTestAssignment(doc));
        }
        for (const m of moves) {
          if (lostClaims.has(m.claim._id)) await completeStaleClaim(m.doc, now);
        }
        remaining = remaining.filter((studentId) => !done.has(studentId));
      }
      if (remaining.length > 0) {
        throw new StorageConflictError(
          `The assignments of students ${remaining.join(', ')} kept changing meanwhile; try again`,
          'assignment',
        );
      }
      return wanted.map((studentId) => done.get(studentId) as TestAssignment);
    }),

  getTestAssignment: (id) =>
    withMongo(async () => {
      const doc = await TestAssignmentModel.findOne({ id }, NO_ID).lean();
      return doc ? toTestAssignment(doc) : undefined;
    }),

  getTestAssignments: ({ studentId, testId, assignedBy, status }) =>
    withMongo(async () => {
      const filter = {
        ...(studentId === undefined ? {} : { studentId }),
        ...(testId === undefined ? {} : { testId }),
        ...(assignedBy === undefined ? {} : { assignedBy }),
        ...(status === undefined ? {} : { status }),
      };
      return (await TestAssignmentModel.find(filter, NO_ID).sort({ dueDate: 1, id: 1 }).lean()).map(
        toTestAssignment,
      );
    }),

  updateTestAssignment: (id, change) => withMongo(() => moveOne(id, change)),

  markOverdueAssignments: (now) =>
    withMongo(async () => {
      let updated = 0;
      for (;;) {
        const batch = (await TestAssignmentModel.find({
          status: trusted({ $in: OVERDUE_CANDIDATES }),
          dueDate: trusted({ $lt: now }),
        })
          .limit(OVERDUE_BATCH)
          .lean()) as StoredAssignment[];
        const claims = batch.flatMap((doc) => {
          const outcome = applyMove(stateOf(doc), { by: 'job' }, now);
          return outcome.ok ? [{ doc, claim: claimFor(doc, outcome.next, 'job', now) }] : [];
        });
        // A lost claim means the assignment moved meanwhile: it is read again next time.
        const lost = await claimAll(claims.map((c) => c.claim));
        const won = claims.filter((c) => !lost.has(c.claim._id));
        if (won.length > 0) {
          const result = await TestAssignmentModel.collection.bulkWrite(groupedUpdates(won), {
            ordered: false,
          });
          updated += result.modifiedCount;
        }
        for (const c of claims) {
          if (lost.has(c.claim._id)) await completeStaleClaim(c.doc, now);
        }
        if (batch.length < OVERDUE_BATCH || won.length === 0) return updated;
      }
    }),
};
