/**
 * A well-formed environment for lib/config in tests that need one but reach no engine: a Mongo URL
 * nobody listens on and a name for every DynamoDB table serverless.yml declares (so a new table
 * needs no edit here).
 */
import { serverlessTables } from '../../scripts/stack/tables';

export function configEnvFor(name: string): Record<string, string> {
  const tables = Object.fromEntries(
    serverlessTables().map(({ envVar, input }) => [envVar, `${name}-${input.TableName}`]),
  );
  return { MONGODB_URL: `mongodb://127.0.0.1:1/${name}`, ...tables };
}
