/** What `func start` and Azure load: the bundled entry (package.json#main), on Node 22, registering every function. */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/fixtures.js';

/** Import the bundle in a fresh Node process (building it first if CI has not). */
function loadBundle(storage: string) {
  const main = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { main: string }).main;
  if (!existsSync(join(repoRoot, main))) execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: repoRoot });
  return spawnSync(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(join(repoRoot, main))})`], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, AzureWebJobsStorage: storage, GITHUB_WEBHOOK_SECRET: 'bundle-test-secret-0123' },
    encoding: 'utf8',
  });
}

describe('the bundled function app', () => {
  it('loads from package.json#main and registers every function', () => {
    const run = loadBundle('UseDevelopmentStorage=true');
    expect(run.status).toBe(0);
    // Outside the Functions host the package is in test mode and names each registration it skips.
    const names = [...run.stderr.matchAll(/register function "([^"]+)"/g)].map((m) => m[1]);
    expect(names.sort()).toEqual([
      'acrAdmissions',
      'acrEvents',
      'acrImagePushed',
      'approvePromotion',
      'createDeployment',
      'dashboard',
      'dashboardAsset',
      'eligiblePromotions',
      'getDeployment',
      'getPromotion',
      'githubWebhook',
      'health',
      'listDeployments',
      'listEnvironments',
      'listPromotions',
      'metrics',
      'pipeline',
      'promoter',
      'rejectPromotion',
      'requestPromotion',
      'sweeper',
    ]);
  }, 60_000);

  it('refuses to load with a bad setting, naming it', () => {
    const run = loadBundle('garbage');
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/tailspin-deployer: invalid configuration: AzureWebJobsStorage: expected/);
  }, 60_000);
});
