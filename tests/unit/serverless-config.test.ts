/** serverless.yml rules that a deploy would otherwise discover too late. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../scripts/stack/paths';

interface Statement {
  Effect: string;
  Action: string[];
  Resource: unknown[];
}
interface ServerlessYml {
  provider: {
    timeout?: number;
    memorySize?: number;
    iam: { role: { statements: Statement[] } };
  };
  functions: Record<string, { timeout?: number; memorySize?: number; handler: string }>;
  resources: { Resources: Record<string, { Type: string }> };
}

const yml = load(readFileSync(join(projectRoot, 'serverless.yml'), 'utf8')) as ServerlessYml;
const statements = yml.provider.iam.role.statements;

describe('serverless.yml', () => {
  const tables = Object.entries(yml.resources.Resources)
    .filter(([, r]) => r.Type === 'AWS::DynamoDB::Table')
    .map(([id]) => id);

  it.each(tables)('grants the functions access to %s by its ARN', (table) => {
    const granted = statements.some((s) =>
      s.Resource.some((r) => JSON.stringify(r).includes(`"Fn::GetAtt":["${table}","Arn"]`)),
    );
    expect(granted).toBe(true);
  });

  it('scopes every DynamoDB statement to named tables, never "*"', () => {
    const dynamo = statements.filter((s) => s.Action.some((a) => a.startsWith('dynamodb:')));
    expect(dynamo.length).toBeGreaterThan(0);
    for (const statement of dynamo) {
      expect(statement.Resource).not.toContain('*');
      for (const resource of statement.Resource) expect(typeof resource).toBe('object');
    }
  });

  it('gives every function a memory size and a timeout below the HTTP API limit of 30 s', () => {
    for (const [name, fn] of Object.entries(yml.functions)) {
      const timeout = fn.timeout ?? yml.provider.timeout;
      const memory = fn.memorySize ?? yml.provider.memorySize;
      expect(timeout, name).toBeLessThan(30);
      expect(memory, name).toBeGreaterThan(0);
    }
  });
});
