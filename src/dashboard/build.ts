/**
 * Bundles the dashboard for the browser: one ES module and one stylesheet, minified. Called by
 * scripts/build.mjs (into dist/dashboard, beside the function bundle) and, when the app runs from
 * its sources (npm start, tests), in memory on the first request. Imports only esbuild and Node
 * built-ins, so Node can load this file by stripping its types.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export interface BuiltAsset {
  /** app.js or app.css */
  name: string;
  bytes: Uint8Array;
}

const ENTRY = fileURLToPath(new URL('./ui/main.tsx', import.meta.url));

export async function buildDashboard(): Promise<BuiltAsset[]> {
  const out = await build({
    entryPoints: { app: ENTRY },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome120', 'firefox120', 'safari16'],
    minify: true,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    write: false,
    outdir: 'dashboard',
    logLevel: 'warning',
  });
  return out.outputFiles.map((f) => ({ name: f.path.split(/[\\/]/).pop() ?? f.path, bytes: f.contents }));
}
