/**
 * Reads settings the way `func start` does: local.settings.json "Values" under the process
 * environment (the environment wins). Without a local.settings.json, the sample's safe local
 * defaults apply, so a fresh clone starts with no setup.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export function localEnvironment(root: string, env: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
  const file = ['local.settings.json', 'local.settings.sample.json'].map((f) => join(root, f)).find(existsSync);
  const values: Record<string, string> = {};
  if (file) {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { Values?: Record<string, unknown> };
    for (const [k, v] of Object.entries(parsed.Values ?? {})) {
      // Keys starting with "#" are comments in the sample.
      if (!k.startsWith('#') && v !== null && v !== undefined) values[k] = typeof v === 'string' ? v : JSON.stringify(v);
    }
  }
  return { ...values, ...env };
}
