/**
 * The DynamoDB tables declared in serverless.yml, created on a local endpoint (dynalite).
 *
 * serverless.yml stays the one source of truth: this reads its `resources` and the environment
 * variables that carry each table's name, resolving the few variables the table names use.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import { load } from 'js-yaml';
import { projectRoot } from './paths';

export interface TableDefinition {
  /** CloudFormation logical id, e.g. SessionsTable. */
  logicalId: string;
  /** The environment variable that gives the functions this table's name, e.g. SESSIONS_TABLE. */
  envVar: string;
  input: CreateTableCommandInput;
}

interface ServerlessYml {
  service: string;
  custom?: Record<string, unknown>;
  provider: { environment?: Record<string, string> };
  resources?: { Resources?: Record<string, { Type: string; Properties: Record<string, unknown> }> };
}

function readServerlessYml(): ServerlessYml {
  return load(readFileSync(join(projectRoot, 'serverless.yml'), 'utf8')) as ServerlessYml;
}

/** Resolves ${self:service}, ${sls:stage} and ${self:custom.a.b} in `value`. */
function resolve(value: string, yml: ServerlessYml, stage: string): string {
  return value.replace(/\$\{([^}]+)\}/g, (_, ref: string) => {
    if (ref === 'self:service') return yml.service;
    // The per-run prefix of local test servers: tables are created with their prefix by
    // ensureTables, so the names declared here are the unprefixed ones.
    if (ref === "env:OFFLINE_TABLE_PREFIX, ''") return '';
    if (ref === 'sls:stage') return stage;
    if (ref.startsWith('self:custom.')) {
      const found = ref
        .slice('self:custom.'.length)
        .split('.')
        .reduce<unknown>(
          (node, key) => (node as Record<string, unknown> | undefined)?.[key],
          yml.custom,
        );
      if (typeof found !== 'string') throw new Error(`serverless.yml: cannot resolve \${${ref}}`);
      return resolve(found, yml, stage);
    }
    throw new Error(`serverless.yml: unsupported variable \${${ref}} in a table name`);
  });
}

/** Every AWS::DynamoDB::Table in serverless.yml, with its name for `stage`. */
export function serverlessTables(stage = 'dev'): TableDefinition[] {
  const yml = readServerlessYml();
  const environment = yml.provider.environment ?? {};
  return Object.entries(yml.resources?.Resources ?? {})
    .filter(([, resource]) => resource.Type === 'AWS::DynamoDB::Table')
    .map(([logicalId, { Properties }]) => {
      const declaredName = Properties.TableName as string;
      const envVar = Object.keys(environment).find((key) => environment[key] === declaredName);
      if (!envVar) {
        throw new Error(
          `serverless.yml: no provider.environment variable carries ${logicalId}'s name`,
        );
      }
      const input: CreateTableCommandInput = {
        TableName: resolve(declaredName, yml, stage),
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions:
          Properties.AttributeDefinitions as CreateTableCommandInput['AttributeDefinitions'],
        KeySchema: Properties.KeySchema as CreateTableCommandInput['KeySchema'],
        ...(Properties.GlobalSecondaryIndexes
          ? {
              GlobalSecondaryIndexes:
                Properties.GlobalSecondaryIndexes as CreateTableCommandInput['GlobalSecondaryIndexes'],
            }
          : {}),
      };
      return { logicalId, envVar, input };
    });
}

/** Creates each table (named `prefix + name`) unless it exists; returns {ENV_VAR: tableName}. */
export async function ensureTables(
  endpoint: string,
  tables: TableDefinition[],
  prefix = '',
): Promise<Record<string, string>> {
  const client = new DynamoDBClient({
    endpoint,
    region: process.env.AWS_REGION ?? 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const names: Record<string, string> = {};
  try {
    for (const table of tables) {
      const TableName = `${prefix}${table.input.TableName}`;
      try {
        await client.send(new CreateTableCommand({ ...table.input, TableName }));
      } catch (error) {
        if (!(error instanceof ResourceInUseException)) throw error; // it already exists: fine
      }
      names[table.envVar] = TableName;
    }
  } finally {
    client.destroy();
  }
  return names;
}
