/**
 * npm run verify: runs every verification item end to end on this machine, one after
 * another (each measures alone), then prints one summary table from the reports they recorded.
 * A failing item does not stop the others; the command exits 1 when any check failed or an item
 * did not report. `npm run verify -- cold-start faults` runs only the named items.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { markdownHeader, markdownRow } from '../harness/markdown-table';
import { projectRoot } from '../scripts/stack/paths';
import { readReport } from './report';

/** In running order; `reports` are the items a script records (load records two). */
const ITEMS = [
  { script: 'deployability.ts', reports: ['deploy'] },
  { script: 'cold-start.ts', reports: ['cold-start'] },
  { script: 'load.ts', reports: ['load', 'connections'] },
  { script: 'faults.ts', reports: ['faults'] },
  { script: 'hostile-input.ts', reports: ['hostile'] },
  { script: 'realtime-delivery.ts', reports: ['realtime'] },
] as const;

function main(): void {
  const only = process.argv.slice(2);
  const selected = ITEMS.filter(
    (item) => only.length === 0 || item.reports.some((r) => only.includes(r)),
  );
  const durations = new Map<string, number>();
  for (const item of selected) {
    for (const report of item.reports)
      rmSync(join(projectRoot, '.local', 'verify', `${report}.json`), { force: true });
    console.log(`\n----- ${item.script}`);
    const started = performance.now();
    spawnSync(join(projectRoot, 'node_modules', '.bin', 'tsx'), [join(__dirname, item.script)], {
      cwd: projectRoot,
      stdio: 'inherit',
    });
    durations.set(item.script, (performance.now() - started) / 1000);
  }

  console.log(`\n----- summary\n${markdownHeader(['item', 'check', 'result', 'detail'])}`);
  let failed = 0;
  for (const item of selected) {
    for (const name of item.reports) {
      const report = readReport(name);
      if (!report) {
        failed += 1;
        console.log(`| ${name} | (no report: ${item.script} stopped early, see above) | FAIL | |`);
        continue;
      }
      for (const check of report.checks) {
        if (!check.ok) failed += 1;
        console.log(markdownRow([name, check.name, check.ok ? 'pass' : 'FAIL', check.detail]));
      }
    }
  }
  const seconds = [...durations.values()].reduce((a, b) => a + b, 0);
  console.log(
    `\nverify: ${failed === 0 ? 'every check held' : `${failed} check(s) did not hold`}; ${seconds.toFixed(0)} s (${[...durations].map(([s, d]) => `${s} ${d.toFixed(0)} s`).join(', ')})`,
  );
  process.exit(failed === 0 ? 0 : 1);
}

main();
