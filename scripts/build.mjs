// Bundles the Functions entry for a small cold start (package.json#main → dist/index.mjs).
// ESM with code splitting: each adapter's SDK (client-node, Octokit, the ARM clients) lands in its
// own chunk that is loaded on first use, so the host compiles only what start-up needs.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { build } from 'esbuild';
// The dashboard's browser bundle (Node strips the file's types; it imports only esbuild and node:*).
import { buildDashboard } from '../src/dashboard/build.ts';

await rm('dist', { recursive: true, force: true });
const result = await build({
  entryPoints: ['src/index.ts'],
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  minify: true,
  sourcemap: 'linked',
  // Provided by the Functions worker at run time.
  external: ['@azure/functions-core'],
  // Bundled CommonJS dependencies still call require() and read __dirname; give them both.
  banner: {
    js: [
      "import { createRequire as __tsCreateRequire } from 'node:module';",
      "import { fileURLToPath as __tsFileURLToPath } from 'node:url';",
      "import { dirname as __tsDirname } from 'node:path';",
      'const require = __tsCreateRequire(import.meta.url);',
      'const __filename = __tsFileURLToPath(import.meta.url);',
      'const __dirname = __tsDirname(__filename);',
    ].join(' '),
  },
  logLevel: 'warning',
  metafile: true,
});
await writeFile('dist/meta.json', JSON.stringify(result.metafile));

// The dashboard's app.js and app.css beside the bundle: the dashboard function serves them from here.
await mkdir('dist/dashboard', { recursive: true });
for (const f of await buildDashboard()) await writeFile(`dist/dashboard/${f.name}`, f.bytes);
