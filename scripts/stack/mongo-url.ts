/** MongoDB URL helpers for tests and benchmarks that each want a database of their own. */

/** Replaces the database name in a MongoDB URL (single- or multi-host, with or without options). */
export function withDatabase(url: string, database: string): string {
  const match = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(?:\/[^?]*)?(\?.*)?$/.exec(url);
  if (!match) throw new Error(`not a MongoDB URL: ${url}`);
  return `${match[1]}/${database}${match[2] ?? ''}`;
}
