/**
 * npm run sync-indexes: creates the MongoDB collections and indexes of shared/mongo-schema.ts on
 * the database of MONGODB_URL, or of the local stack when it is unset (and drops indexes no model
 * declares). Run by deploy and by the local stack on start; Lambdas run with autoIndex off.
 */
import { syncIndexesAt } from '../lib/storage/mongo/indexes';
import { loadDotEnv } from './stack';
import { connectionEnv, stackSettings } from './stack/settings';

async function main(): Promise<void> {
  loadDotEnv();
  const url = connectionEnv(stackSettings()).MONGODB_URL as string;
  const reports = await syncIndexesAt(url);
  const dropped = reports.flatMap((r) => r.dropped.map((name) => `${r.model}.${name}`));
  console.log(
    `mongo      indexes in sync for ${reports.length} collections${dropped.length ? `; dropped ${dropped.join(', ')}` : ''}`,
  );
}

main().catch((error: unknown) => {
  console.error('sync-indexes failed:', error instanceof Error ? error.message : error);
  process.exit(1);
});
