/**
 * npm run verify:deploy: would this deploy? Packages every function with
 * `serverless package` (placeholder connection settings: packaging reads them, nothing connects),
 * then checks the CloudFormation template it generates:
 *
 * - cfn-lint (from PyPI, pinned, installed into .local/venv on first use): zero errors;
 * - every Lambda function has a memory size and a timeout below the HTTP API's 30 s;
 * - every IAM statement that allows a DynamoDB action names tables (or their indexes) of this stack,
 *   with no `*` anywhere in its resources;
 * - no function bundle contains what must never reach one (harness/bundle-contents.ts).
 *
 * Prints a summary table and the bundle size of each function; exits 1 when a check fails.
 */
import { readFileSync } from 'node:fs';
import { FORBIDDEN_IN_BUNDLES, forbiddenIn } from '../harness/bundle-contents';
import {
  bundleCode,
  packagedFunctions,
  packageFunctions,
  templatePath,
  zipKb,
} from '../harness/packaged-functions';
import { ensurePythonTool, runTool } from '../harness/python-tool';
import { projectRoot } from '../scripts/stack/paths';
import { type Check, reportChecks } from './report';

const CFN_LINT = 'cfn-lint==1.58.0';
const HTTP_API_TIMEOUT_S = 30;

interface Resource {
  Type: string;
  Properties?: Record<string, unknown>;
}

/** Every string inside a CloudFormation value (Fn::Join parts, GetAtt names...). */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

function checkFunctions(resources: Record<string, Resource>): Check {
  const functions = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
  const bad = functions.flatMap(([name, r]) => {
    const timeout = r.Properties?.Timeout as number | undefined;
    const memory = r.Properties?.MemorySize as number | undefined;
    const problems: string[] = [];
    if (timeout === undefined || timeout >= HTTP_API_TIMEOUT_S) problems.push(`timeout ${timeout}`);
    if (memory === undefined) problems.push('no memory size');
    return problems.map((p) => `${name}: ${p}`);
  });
  const timeouts = functions.map(([, r]) => r.Properties?.Timeout as number);
  return {
    name: 'functions: memory size set, timeout < 30 s',
    ok: functions.length > 0 && bad.length === 0,
    detail:
      bad.join('; ') ||
      `${functions.length} functions, timeouts ${Math.min(...timeouts)}-${Math.max(...timeouts)} s`,
  };
}

function checkDynamoIam(resources: Record<string, Resource>): Check {
  const tables = new Set(
    Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::DynamoDB::Table')
      .map(([name]) => name),
  );
  const problems: string[] = [];
  let statements = 0;
  for (const [name, r] of Object.entries(resources)) {
    if (r.Type !== 'AWS::IAM::Role') continue;
    const policies = (r.Properties?.Policies ?? []) as {
      PolicyDocument: { Statement: unknown[] };
    }[];
    for (const statement of policies.flatMap((p) => p.PolicyDocument.Statement)) {
      const { Action, Resource } = statement as { Action: string | string[]; Resource: unknown };
      const actions = [Action].flat();
      if (!actions.some((a) => a.startsWith('dynamodb:'))) continue;
      statements += 1;
      const resourceList = [Resource].flat();
      for (const resource of resourceList) {
        const parts = strings(resource);
        if (parts.some((s) => s.includes('*')))
          problems.push(`${name}: a wildcard in ${JSON.stringify(resource)}`);
        const getAtt = (resource as { 'Fn::GetAtt'?: string[] })['Fn::GetAtt'];
        const referenced = parts.filter((s) => tables.has(s));
        if (!getAtt && referenced.length === 0)
          problems.push(`${name}: ${JSON.stringify(resource)} is not a table of this stack`);
      }
    }
  }
  return {
    name: 'IAM: DynamoDB statements scoped to this stack’s tables, no *',
    ok: statements > 0 && problems.length === 0,
    detail: problems.join('; ') || `${statements} statements over ${tables.size} tables`,
  };
}

function checkCfnLint(bin: string, template: string): Check {
  const result = runTool(bin, ['--format', 'json', template]);
  const findings = JSON.parse(result.stdout || '[]') as { Level: string; Rule: { Id: string } }[];
  const count = (level: string) => findings.filter((f) => f.Level === level);
  const errors = count('Error');
  const warnings = count('Warning');
  const rules = [...new Set(warnings.map((w) => w.Rule.Id))].join(', ');
  return {
    name: 'cfn-lint: zero errors',
    ok: errors.length === 0 && result.status !== null && (result.status & 2) === 0,
    detail: `${errors.length} errors${errors.length ? ` (${[...new Set(errors.map((e) => e.Rule.Id))].join(', ')})` : ''}, ${warnings.length} warnings${rules ? ` (${rules})` : ''}, ${count('Informational').length} informational`,
  };
}

function checkBundles(names: string[]): Check {
  const problems = names.flatMap((name) => {
    const found = forbiddenIn(bundleCode(name));
    return found.length ? [`${name}: ${found.join(', ')}`] : [];
  });
  return {
    name: `bundles: none contains ${FORBIDDEN_IN_BUNDLES.map((f) => f.what).join(' or ')}`,
    ok: names.length > 0 && problems.length === 0,
    detail: problems.join('; ') || `${names.length} bundles read, none does`,
  };
}

function main(): void {
  const cfnLint = ensurePythonTool(CFN_LINT);
  const packagedIn = packageFunctions().toFixed(0);
  const template = templatePath;
  const resources = (
    JSON.parse(readFileSync(template, 'utf8')) as { Resources: Record<string, Resource> }
  ).Resources;
  const checks = [
    checkCfnLint(cfnLint, template),
    checkFunctions(resources),
    checkDynamoIam(resources),
    checkBundles(packagedFunctions()),
  ];

  const zips = packagedFunctions()
    .map((name) => ({ name, kb: zipKb(name) }))
    .sort((a, b) => a.kb - b.kb || a.name.localeCompare(b.name));
  console.log(
    `\npackaged ${zips.length} functions in ${packagedIn} s (${cfnLint.replace(projectRoot, '.')}, ${CFN_LINT})`,
  );
  console.log('| function | zip |\n|---|---|');
  for (const zip of zips) console.log(`| ${zip.name} | ${zip.kb.toLocaleString('en')} KB |`);
  reportChecks('deploy', 'Deployability', checks);
}

main();
