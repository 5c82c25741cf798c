/**
 * Third-party payloads live in ../shared/fixtures (provenance in its SOURCES.md); our own
 * hand-made ones in test/fixtures. Tests read them from there and say so when the folder is missing.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..', '..');
export const sharedFixtures = process.env.TAILSPIN_SHARED_FIXTURES ?? resolve(repoRoot, '..', 'shared', 'fixtures');
export const ownFixtures = resolve(repoRoot, 'test', 'fixtures');

function requireShared(): void {
  if (!existsSync(sharedFixtures)) {
    throw new Error(
      `third-party fixtures not found at ${sharedFixtures}: clone the repository beside ../shared (or set TAILSPIN_SHARED_FIXTURES)`,
    );
  }
}

/** Path of a file under ../shared/fixtures, e.g. shared('github', 'octokit-webhooks__push_payload.json'). */
export function shared(...parts: string[]): string {
  requireShared();
  const p = join(sharedFixtures, ...parts);
  if (!existsSync(p)) throw new Error(`missing shared fixture ${p}`);
  return p;
}

export const sharedText = (...parts: string[]): string => readFileSync(shared(...parts), 'utf8');
export const sharedJson = <T = unknown>(...parts: string[]): T => JSON.parse(sharedText(...parts)) as T;

export function sharedDir(dir: string): string[] {
  requireShared();
  return readdirSync(join(sharedFixtures, dir)).sort();
}

export const own = (...parts: string[]): string => join(ownFixtures, ...parts);
