/** Test assignments (one per student and test). */
import { trusted } from 'mongoose';
import {
  sequences,
  type TestAssignmentDoc,
  TestAssignmentModel,
} from '../../../shared/mongo-schema';
import type { TestAssignment } from '../../../shared/schema';
import { withMongo } from '../../db/mongo';
import type { IStorage } from '../storage';
import { nextId } from './counters';
import { pick } from './guards';
import { updateOrInsert } from './upsert';

const NO_ID = { _id: 0 } as const;

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

type AssignmentStore = Pick<
  IStorage,
  | 'upsertTestAssignment'
  | 'getTestAssignment'
  | 'getTestAssignments'
  | 'getTestAssignmentByStudentAndTest'
  | 'updateTestAssignment'
  | 'markOverdueAssignments'
>;

const options = {
  returnDocument: 'after',
  lean: true,
  runValidators: true,
} as const;

export const assignmentStore: AssignmentStore = {
  upsertTestAssignment: ({ testId, studentId, assignedBy, dueDate }) =>
    withMongo(() =>
      updateOrInsert(
        async () => {
          const current = await TestAssignmentModel.findOne({ studentId, testId }, NO_ID).lean();
          if (!current) return undefined;
          // A new due date in the future revives an overdue assignment.
          const revive = current.status === 'overdue' && dueDate.getTime() > Date.now();
          const doc = await TestAssignmentModel.findOneAndUpdate(
            { studentId, testId },
            { $set: { dueDate, ...(revive ? { status: 'pending' } : {}) } },
            options,
          );
          return doc ? toTestAssignment(doc) : undefined;
        },
        async () => {
          const id = await nextId(sequences.assignment);
          const doc = await TestAssignmentModel.create({
            id,
            testId,
            studentId,
            assignedBy,
            dueDate,
          });
          return toTestAssignment(doc.toObject());
        },
      ),
    ),

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

  getTestAssignmentByStudentAndTest: (studentId, testId) =>
    withMongo(async () => {
      const doc = await TestAssignmentModel.findOne({ studentId, testId }, NO_ID).lean();
      return doc ? toTestAssignment(doc) : undefined;
    }),

  updateTestAssignment: (id, change) =>
    withMongo(async () => {
      const allowed = pick(change, ['status', 'dueDate', 'notificationSent'] as const);
      const doc = await TestAssignmentModel.findOneAndUpdate({ id }, { $set: allowed }, options);
      return doc ? toTestAssignment(doc) : undefined;
    }),

  markOverdueAssignments: (now) =>
    withMongo(async () => {
      // One bulk update; the filter is its own guard, so running it again changes nothing and a
      // completed assignment is never touched.
      const result = await TestAssignmentModel.updateMany(
        { status: trusted({ $in: ['pending', 'started'] }), dueDate: trusted({ $lt: now }) },
        { $set: { status: 'overdue' } },
      );
      return result.modifiedCount;
    }),
};
