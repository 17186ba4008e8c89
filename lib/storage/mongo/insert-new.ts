/** Inserting a batch in one round trip where a unique index decides which documents are new. */
import type { mongo } from 'mongoose';
import { duplicateKeyIndexes } from './duplicate-key';

/**
 * Inserts the documents whose unique keys are new in one unordered batch; returns those that were
 * already there (a duplicate key), for the caller to update, retry or give up on. Anything else
 * that fails is thrown.
 */
export async function insertNew<T extends object>(
  model: { collection: unknown },
  docs: T[],
): Promise<T[]> {
  if (docs.length === 0) return [];
  const collection = model.collection as mongo.Collection<mongo.Document>;
  try {
    await collection.insertMany(docs as mongo.OptionalId<mongo.Document>[], { ordered: false });
    return [];
  } catch (error) {
    const existing = duplicateKeyIndexes(error);
    if (!existing) throw error;
    return existing.map((index) => docs[index] as T);
  }
}
