/**
 * Creates every collection and index the models declare (and drops indexes no model declares),
 * and gives documents written before a field existed the value its index and readers expect.
 * Run by deploy (scripts/deploy.ts) and by the local stack at start; Lambdas never build indexes.
 */
import mongoose, { type Connection } from 'mongoose';
import { AnswerModel, allModels, TestAttemptModel } from '../../../shared/mongo-schema';

export interface IndexReport {
  model: string;
  dropped: string[];
}

async function syncAll(connection: Connection): Promise<IndexReport[]> {
  // Before the indexes: the unique ones below need these fields on old documents.
  await backfillAttemptNumbers(connection);
  await backfillAnswerSeqs(connection);
  const reports: IndexReport[] = [];
  for (const model of allModels) {
    // The same schema, bound to `connection` (it may be another database than the default).
    const bound =
      connection.models[model.modelName] ??
      connection.model(model.modelName, model.schema, model.collection.name);
    await bound.createCollection();
    reports.push({ model: model.modelName, dropped: await bound.syncIndexes() });
  }
  await backfillResultStamps(connection);
  return reports;
}

/**
 * Attempts written before the attempt limit existed have no attemptNumber, which the unique
 * (studentId, testId, attemptNumber) index needs. Each (student, test)'s get the numbers after
 * its highest one so far, in start order, so they count towards the test's maxAttempts.
 */
async function backfillAttemptNumbers(connection: Connection): Promise<void> {
  const attempts = connection.collection(TestAttemptModel.collection.name);
  const legacy = attempts
    .find(
      { attemptNumber: { $exists: false } },
      { projection: { _id: 1, studentId: 1, testId: 1 } },
    )
    .sort({ studentId: 1, testId: 1, startTime: 1, id: 1 });
  let pair = '';
  let next = 0;
  for await (const doc of legacy) {
    const key = `${doc.studentId}:${doc.testId}`;
    if (key !== pair) {
      pair = key;
      const top = await attempts.findOne(
        { studentId: doc.studentId, testId: doc.testId, attemptNumber: { $exists: true } },
        { projection: { attemptNumber: 1 }, sort: { attemptNumber: -1 } },
      );
      next = ((top?.attemptNumber as number | undefined) ?? 0) + 1;
    }
    await attempts.updateOne(
      { _id: doc._id, attemptNumber: { $exists: false } },
      { $set: { attemptNumber: next } },
    );
    next += 1;
  }
}

/**
 * Answers written before answers were versioned have no seq, which the unique (attemptId, seq)
 * index needs. Their questionId serves: there was one answer per (attempt, question), and the
 * next write takes the highest seq + 1 whatever the values are.
 */
async function backfillAnswerSeqs(connection: Connection): Promise<void> {
  const answers = connection.collection(AnswerModel.collection.name);
  const missing = { seq: { $exists: false } };
  for await (const doc of answers.find(missing, { projection: { _id: 1, questionId: 1 } })) {
    await answers.updateOne({ _id: doc._id, ...missing }, { $set: { seq: doc.questionId } });
  }
}

/**
 * Attempts written before compute-analytics existed (the original system's) have no
 * resultChangedAt, so the job, which reads attempts in that order, would never see them. They get
 * their end (else start) time and revision 0, in batches; the filter keeps a concurrent real
 * stamp from being overwritten.
 */
async function backfillResultStamps(connection: Connection): Promise<void> {
  const attempts = connection.collection(TestAttemptModel.collection.name);
  const missing = { resultChangedAt: { $exists: false } };
  for (;;) {
    const batch = await attempts
      .find(missing, { projection: { _id: 1, startTime: 1, endTime: 1 } })
      .limit(1_000)
      .toArray();
    if (batch.length === 0) return;
    await attempts.bulkWrite(
      batch.map((doc) => ({
        updateOne: {
          filter: { _id: doc._id, ...missing },
          update: {
            $set: {
              resultChangedAt: doc.endTime ?? doc.startTime ?? new Date(0),
              resultRevision: 0,
            },
          },
        },
      })),
    );
  }
}

/**
 * Brings the indexes of the database at `url` in line with shared/mongo-schema.ts, on a connection
 * of its own. Idempotent.
 */
export async function syncIndexesAt(url: string): Promise<IndexReport[]> {
  const connection = await mongoose
    .createConnection(url, { serverSelectionTimeoutMS: 5_000 })
    .asPromise();
  try {
    return await syncAll(connection);
  } finally {
    await connection.close();
  }
}
