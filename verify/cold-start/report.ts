/** The cold-start table and checks: each function's load time over hello-world's, by drivers. */
import { markdownHeader } from '../../harness/markdown-table';
import type { Check } from '../report';
import { BUDGET_MS, type ColdStartRow, type Drivers, SAMPLES } from './settings';

/** Prints the table (fastest first) and returns the checks: each driver group's budget, answers. */
export function coldStartReport(rows: ColdStartRow[], helloMs: number): Check[] {
  console.log(
    markdownHeader([
      'function',
      'drivers',
      'SDKs it may load on first use',
      'zip',
      'load',
      'over hello-world',
      'budget',
      'first invocation',
      'status',
    ]),
  );
  const over: string[] = [];
  for (const row of rows.sort((a, b) => a.load - b.load)) {
    const overhead = row.load - helloMs;
    const budget = BUDGET_MS[row.drivers];
    const ok = overhead <= budget;
    if (!ok) over.push(`${row.name} +${overhead.toFixed(1)} ms (${budget})`);
    console.log(
      `| ${row.name} | ${row.drivers} | ${row.sdks} | ${row.kb.toLocaleString('en')} KB | ${row.load.toFixed(1)} ms | ${overhead.toFixed(1)} ms | ${ok ? 'ok' : 'OVER'} (${budget} ms) | ${row.first.toFixed(1)} ms | ${row.status} |`,
    );
  }
  const checks: Check[] = (Object.keys(BUDGET_MS) as Drivers[]).flatMap((drivers) => {
    const group = rows.filter((r) => r.drivers === drivers);
    if (group.length === 0) return [];
    const overheads = group.map((r) => r.load - helloMs);
    const failing = group.filter((r) => r.load - helloMs > BUDGET_MS[drivers]);
    return [
      {
        name: `load over hello-world, ${drivers === 'none' ? 'no driver' : drivers} (${group.length} functions) <= ${BUDGET_MS[drivers]} ms`,
        ok: failing.length === 0,
        detail: `${Math.min(...overheads).toFixed(1)}-${Math.max(...overheads).toFixed(1)} ms (hello-world ${helloMs.toFixed(1)} ms, medians of ${SAMPLES})${failing.length ? `; over: ${over.filter((o) => failing.some((f) => o.startsWith(`${f.name} `))).join(', ')}` : ''}`,
      },
    ];
  });
  checks.push({
    name: 'first invocations answered (no 5xx, no WebSocket INTERNAL error)',
    ok: rows.every((r) => !/\b5\d\d\b|INTERNAL|SERVICE_UNAVAILABLE/.test(r.status)),
    detail: `statuses: ${[...new Set(rows.flatMap((r) => r.status.split('/')))].sort().join(', ')}`,
  });
  console.log(`\n${rows.length - over.length} of ${rows.length} functions within budget`);
  return checks;
}
