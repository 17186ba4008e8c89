/**
 * The shared ending of every `npm run verify` item: print its checks as a table, record them in
 * .local/verify/<item>.json for the summary that `npm run verify` prints, and fail the process
 * (exit code 1) when any check fails.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { markdownTable } from '../harness/markdown-table';
import { localDir } from '../scripts/stack/paths';

export interface Check {
  /** What is checked, with its budget: "p99 GET /api/users/me at 50 connections". */
  name: string;
  ok: boolean;
  /** The measured figure(s). */
  detail: string;
}

export interface ItemReport {
  item: string;
  title: string;
  checks: Check[];
  /** ISO time the item finished. */
  at: string;
}

export const verifyDir = join(localDir, 'verify');
const reportFile = (item: string) => join(verifyDir, `${item}.json`);

export function reportChecks(item: string, title: string, checks: Check[]): void {
  const rows = checks.map((check) => [check.name, check.ok ? 'pass' : 'FAIL', check.detail]);
  console.log(`\n${title}\n${markdownTable(['check', 'result', 'detail'], rows)}`);
  mkdirSync(verifyDir, { recursive: true });
  const report: ItemReport = { item, title, checks, at: new Date().toISOString() };
  writeFileSync(reportFile(item), `${JSON.stringify(report, null, 2)}\n`);
  if (checks.length === 0 || checks.some((c) => !c.ok)) process.exitCode = 1;
}

export function readReport(item: string): ItemReport | undefined {
  try {
    return JSON.parse(readFileSync(reportFile(item), 'utf8')) as ItemReport;
  } catch {
    // No report: the item did not get as far as reporting (the summary says so).
    return undefined;
  }
}
