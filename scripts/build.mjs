// Bundles the Functions entry into one CommonJS file (package.json#main) for a small cold start.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/index.ts'],
  outfile: 'dist/index.cjs',
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  minify: true,
  sourcemap: 'linked',
  // Provided by the Functions worker at run time.
  external: ['@azure/functions-core'],
  // Some SDKs read import.meta.url; in CJS it does not exist.
  define: { 'import.meta.url': '__tailspin_import_meta_url' },
  banner: { js: 'const __tailspin_import_meta_url = require("url").pathToFileURL(__filename).href;' },
  logLevel: 'warning',
  metafile: true,
}).then(async (r) => {
  const { writeFile } = await import('node:fs/promises');
  await writeFile('dist/meta.json', JSON.stringify(r.metafile));
});
