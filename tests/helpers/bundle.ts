import type { BuildOptions } from 'esbuild';
import { projectRoot } from '../../scripts/stack/paths';

/**
 * esbuild options that bundle `source` (TypeScript, resolved from the project root) the way
 * serverless.yml bundles a function: one CommonJS file for Node, not minified. Tests add what they
 * need (outfile or write: false, alias, metafile).
 */
export function lambdaBundleOptions(source: string): BuildOptions {
  return {
    stdin: { contents: source, resolveDir: projectRoot, loader: 'ts' },
    absWorkingDir: projectRoot,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    logLevel: 'error',
  };
}
