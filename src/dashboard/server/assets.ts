/**
 * The dashboard's two files, app.js and app.css, with their content hashes. From the built
 * package they are read once from dist/dashboard (scripts/build.mjs puts them beside the function
 * bundle); running from the sources they are built in memory with esbuild, once.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { buildDashboard as Build } from '../build.js';

export interface Asset {
  name: string;
  type: string;
  bytes: Uint8Array;
  /** Short content hash: the page asks for app.js?v=<hash>, so a cached copy is never stale. */
  hash: string;
}

export type AssetSource = () => Promise<Map<string, Asset>>;

const TYPES: Record<string, string> = { 'app.js': 'text/javascript; charset=utf-8', 'app.css': 'text/css; charset=utf-8' };
export const ASSET_NAMES = Object.keys(TYPES);

function asset(name: string, bytes: Uint8Array): Asset {
  return {
    name,
    type: TYPES[name] ?? 'application/octet-stream',
    bytes,
    hash: createHash('sha256').update(bytes).digest('hex').slice(0, 16),
  };
}

async function fromDirectory(dir: URL): Promise<Map<string, Asset>> {
  const files = await Promise.all(ASSET_NAMES.map(async (n) => asset(n, await readFile(new URL(n, dir)))));
  return new Map(files.map((a) => [a.name, a]));
}

async function fromSources(): Promise<Map<string, Asset>> {
  // A name in a variable: the function bundle must not pull esbuild (a dev dependency) in.
  const builder = '../build.js';
  const { buildDashboard } = (await import(builder)) as { buildDashboard: typeof Build };
  const files = await buildDashboard();
  return new Map(files.filter((f) => ASSET_NAMES.includes(f.name)).map((f) => [f.name, asset(f.name, f.bytes)]));
}

/**
 * Files beside the bundle when they exist, else a build from the sources. Loaded on first use and
 * kept; a failure is not kept, so the next request tries again.
 */
export function dashboardAssets(builtDir: URL): AssetSource {
  let loading: Promise<Map<string, Asset>> | undefined;
  return () => {
    loading ??= fromDirectory(builtDir).catch((e: unknown) => {
      if ((e as { code?: string }).code !== 'ENOENT') throw e;
      return fromSources();
    });
    loading.catch(() => (loading = undefined));
    return loading;
  };
}
