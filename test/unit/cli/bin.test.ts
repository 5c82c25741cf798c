import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoRoot, shared } from '../../helpers/fixtures.js';

const exec = promisify(execFile);

describe('bin/tailspin-deployer.mjs', () => {
  it('runs scan-evaluate as a real process and exits 1 on a blocked report', async () => {
    const run = exec(
      process.execPath,
      ['bin/tailspin-deployer.mjs', 'scan-evaluate', '--report', shared('trivy', 'trivy-action__alpine-3.10-image.report.json')],
      { cwd: repoRoot, timeout: 25_000 },
    );
    const failure = await run.then(
      () => undefined,
      (e: unknown) => e as { code: number; stdout: string; stderr: string },
    );
    expect(failure?.code).toBe(1);
    const verdict = JSON.parse(failure!.stdout) as { outcome: string; trivy: { version: string } };
    expect(verdict).toMatchObject({ outcome: 'blocked', trivy: { version: '0.72.0' } });
    expect(failure?.stderr).toBe('');
  });
});
