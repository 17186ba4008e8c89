/**
 * Creates every collection and index the models declare (and drops indexes no model declares).
 * Run by scripts/sync-indexes at deploy and by the local stack; Lambdas never build indexes.
 */
import mongoose, { type Connection } from 'mongoose';
import { allModels } from '../../../shared/mongo-schema';
import { withMongo } from '../../db/mongo';

export interface IndexReport {
  model: string;
  dropped: string[];
}

async function syncAll(connection: Connection): Promise<IndexReport[]> {
  const reports: IndexReport[] = [];
  for (const model of allModels) {
    // The same schema, bound to `connection` (it may be another database than the default).
    const bound =
      connection.models[model.modelName] ??
      connection.model(model.modelName, model.schema, model.collection.name);
    await bound.createCollection();
    reports.push({ model: model.modelName, dropped: await bound.syncIndexes() });
  }
  return reports;
}

/** Brings the configured database's indexes in line with shared/mongo-schema.ts. Idempotent. */
export function syncIndexes(): Promise<IndexReport[]> {
  return withMongo((db) => syncAll(db.connection));
}

/** The same for the database at `url`, on a connection of its own (scripts, tests). */
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
