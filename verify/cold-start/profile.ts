/**
 * Where a bundle's load goes: V8's CPU profile of fresh processes that only load it (after the
 * runtime's own built-ins, as the samples do). A tick in the bundle's code is charged to the module
 * whose code it ran (esbuild marks each module with a `// path` comment; V8 gives each function's
 * ticks by line); ticks in Node's code under a bundle frame go to one row, since a profile does not
 * say which statement called it. Left out: ticks under no bundle frame, which include compiling
 * the bundle and garbage collection, so the total is what the modules' code ran, not the load.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { markdownTable } from '../../harness/markdown-table';
import { RUNTIME_PRELOAD } from './bundles';

interface ProfileNode {
  id: number;
  callFrame: { url: string; lineNumber: number };
  children?: number[];
  /** Self ticks by 1-based line of the script. */
  positionTicks?: { line: number; ticks: number }[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** One module's share of a load. */
export interface ModuleCost {
  module: string;
  ms: number;
}

const TICK_US = 100;

/** `node_modules/zod/v4/core/core.js` → `zod`; our own files stay as they are. */
export function moduleGroup(path: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path);
  return match ? (match[1] as string) : path;
}

/** The `// path` module comments of a bundle: [first line (0-based), module]. */
export function moduleMarks(code: string): [number, string][] {
  const marks: [number, string][] = [];
  code.split('\n').forEach((line, index) => {
    const match = /^\/\/ (\S+\.(?:[cm]?js|ts|json))$/.exec(line);
    if (match) marks.push([index, moduleGroup(match[1] as string)]);
  });
  return marks;
}

/** The module whose code holds 0-based `line`: the last mark at or above it. */
function moduleAt(marks: [number, string][], line: number): string {
  let low = 0;
  let high = marks.length - 1;
  let found = "(esbuild's module-init helpers)";
  while (low <= high) {
    const middle = (low + high) >> 1;
    const [start, module] = marks[middle] as [number, string];
    if (start <= line) {
      found = module;
      low = middle + 1;
    } else high = middle - 1;
  }
  return found;
}

const BUILTINS = 'Node built-ins and natives it called';

/**
 * Charges the ticks of `profile` that ran under a bundle frame. A tick in bundle code goes to the
 * module of its line (V8's per-line ticks of that function); a tick in Node's code under a bundle
 * frame goes to one row, since a profile does not tell which statement called it (esbuild runs
 * most modules' top-level statements in the one top-level function of the bundle).
 */
export function chargeTicks(profile: CpuProfile, bundleUrl: string, marks: [number, string][]) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parentOf.set(child, node.id);
  const selfMs = new Map<number, number>();
  profile.samples.forEach((id, index) => {
    selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000);
  });
  const costs = new Map<string, number>();
  const charge = (module: string, ms: number) => costs.set(module, (costs.get(module) ?? 0) + ms);
  for (const [id, ms] of selfMs) {
    const leaf = byId.get(id) as ProfileNode;
    if (leaf.callFrame.url === bundleUrl) {
      const lines = leaf.positionTicks ?? [{ line: leaf.callFrame.lineNumber + 1, ticks: 1 }];
      const ticks = lines.reduce((sum, l) => sum + l.ticks, 0);
      for (const { line, ticks: here } of lines)
        charge(moduleAt(marks, line - 1), (ms * here) / ticks);
      continue;
    }
    let node: ProfileNode | undefined = leaf;
    while (node && node.callFrame.url !== bundleUrl) node = byId.get(parentOf.get(node.id) ?? -1);
    if (node) charge(BUILTINS, ms);
  }
  return costs;
}

/** Profiles `runs` fresh processes loading `bundle`; the mean cost per module, dearest first. */
export function profileLoad(bundle: string, env: NodeJS.ProcessEnv, runs: number): ModuleCost[] {
  const marks = moduleMarks(readFileSync(bundle, 'utf8'));
  const bundleUrl = pathToFileURL(bundle).href;
  const totals = new Map<string, ModuleCost>();
  for (let run = 0; run < runs; run += 1) {
    const dir = mkdtempSync(join(tmpdir(), 'plp-cpu-profile-'));
    try {
      execFileSync(
        process.execPath,
        [
          '--cpu-prof',
          `--cpu-prof-dir=${dir}`,
          `--cpu-prof-interval=${TICK_US}`,
          '-e',
          `${RUNTIME_PRELOAD}\nrequire(process.argv[1]);`,
          bundle,
        ],
        { env, timeout: 60_000 },
      );
      const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile')) as string;
      const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
      for (const [module, ms] of chargeTicks(profile, bundleUrl, marks)) {
        const total = totals.get(module) ?? { module, ms: 0 };
        total.ms += ms / runs;
        totals.set(module, total);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return [...totals.values()].sort((a, b) => b.ms - a.ms);
}

/** The table of one function's load: its dearest modules, then the rest in one row. */
export function profileTable(name: string, costs: ModuleCost[], shown = 10): string {
  const rest = costs.slice(shown).reduce((sum, c) => sum + c.ms, 0);
  const total = costs.reduce((sum, c) => sum + c.ms, 0);
  return `${name}: ${total.toFixed(1)} ms in its modules' code while loading (profiled, so slower; compiling and garbage collection not included)\n${markdownTable(
    ['module', 'ms'],
    [
      ...costs.slice(0, shown).map((c) => [c.module, c.ms.toFixed(1)]),
      ...(costs.length > shown ? [[`${costs.length - shown} more`, rest.toFixed(1)]] : []),
    ],
  )}`;
}
