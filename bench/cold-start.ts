/**
 * Cold start: how long a fresh `node` (this Node 22, process.execPath) takes to load the function
 * app entry, measured inside the child around require()/import() only (process start-up and exit
 * are not counted). Two forms of the same src/index.ts: the esbuild bundle Azure loads
 * (package.json#main), and the same sources compiled file by file without bundling (ESM, resolving
 * node_modules like `tsc` output would), which is the honest "unbundled" comparison: neither
 * figure includes TypeScript transpilation.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { max, median, percentile, round } from './stats.js';

export interface ColdStartFigures {
  runs: number;
  bundled: { file: string; bytes: number; medianMs: number; p90Ms: number; maxMs: number; samplesMs: number[] };
  unbundled: { what: string; files: number; medianMs: number; p90Ms: number; maxMs: number; samplesMs: number[] };
  budgetMs: number;
}

// Only what loadConfig needs; the dev-storage shortcut makes no connection at load time.
const ENV = { AzureWebJobsStorage: 'UseDevelopmentStorage=true', GITHUB_WEBHOOK_SECRET: 'bench-webhook-secret-0123456789' };

const LOADER = `
const t0 = performance.now();
const done = () => process.stdout.write(JSON.stringify({ ms: performance.now() - t0 }) + '\\n');
const target = process.argv[2];
if (target.endsWith('.cjs')) { require(target); done(); }
else import(require('node:url').pathToFileURL(target).href).then(done, (e) => { console.error(e); process.exit(1); });
`;

async function listTs(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listTs(p)));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** src/** compiled 1:1 to ESM under node_modules/.cache so bare imports resolve to the repo's node_modules. */
async function compileUnbundled(root: string): Promise<{ entry: string; files: number }> {
  const out = join(root, 'node_modules', '.cache', 'tailspin-bench', 'unbundled');
  await rm(out, { recursive: true, force: true });
  const entries = (await listTs(join(root, 'src'))).filter((f) => !relative(root, f).startsWith(join('src', 'sandbox')));
  await build({
    entryPoints: entries,
    outdir: join(out, 'src'),
    outbase: join(root, 'src'),
    bundle: false,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    logLevel: 'warning',
  });
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'package.json'), '{"type":"module"}\n');
  return { entry: join(out, 'src', 'index.js'), files: entries.length };
}

function loadOnce(root: string, loader: string, target: string): number {
  const r = spawnSync(process.execPath, [loader, target], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...ENV },
    encoding: 'utf8',
    timeout: 20_000,
  });
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  if (r.status !== 0 || !line.startsWith('{')) throw new Error(`loading ${target} failed (exit ${r.status}): ${r.stderr.slice(0, 800)}`);
  return (JSON.parse(line) as { ms: number }).ms;
}

/** The entry the Functions host loads: package.json#main (whatever form the build gives it). */
async function bundledEntry(root: string): Promise<string> {
  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { main?: string };
  return pkg.main ?? 'dist/index.cjs';
}

export async function coldStart(root: string, runs = 9): Promise<ColdStartFigures> {
  const main = await bundledEntry(root);
  const bundle = join(root, main);
  const unbundled = await compileUnbundled(root);
  const loader = join(root, 'node_modules', '.cache', 'tailspin-bench', 'load.cjs');
  await writeFile(loader, LOADER);
  // One untimed load each warms the OS file cache, as a deployed app's disk would be.
  loadOnce(root, loader, bundle);
  loadOnce(root, loader, unbundled.entry);
  const a: number[] = [];
  const b: number[] = [];
  // Interleaved so background load on the machine hits both forms alike.
  for (let i = 0; i < runs; i++) {
    a.push(loadOnce(root, loader, bundle));
    b.push(loadOnce(root, loader, unbundled.entry));
  }
  const { statSync } = await import('node:fs');
  const fig = (s: number[]) => ({
    medianMs: round(median(s)),
    p90Ms: round(percentile(s, 90)),
    maxMs: round(max(s)),
    samplesMs: s.map((x) => round(x)),
  });
  return {
    runs,
    bundled: { file: main, bytes: statSync(bundle).size, ...fig(a) },
    unbundled: {
      what: `src/**/*.ts compiled 1:1 to ESM by esbuild (no bundling, ${unbundled.files} files), dependencies from node_modules`,
      files: unbundled.files,
      ...fig(b),
    },
    budgetMs: 300,
  };
}
