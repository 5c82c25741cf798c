import { describe, expect, it } from 'vitest';
import { scanning } from '../../../../src/services/pipeline/steps/scanning.js';
import type { CachedVerdict, ScanRun } from '../../../../src/services/ports.js';
import { sharedJson } from '../../../helpers/fixtures.js';
import { DEFAULT_SCAN_POLICY, parseIgnoreFile } from '../../../../src/services/scan-policy/index.js';
import { aRelease, at, ctx, digest, errR, fail, iso, okR, world, type WorldScript } from '../world.js';

const ID = 'r-test-000001';
const head = { app: 'tailspin-server', environment: 'dev', quarantined: [] };
const pending = { 'tailspin-server/dev': { pending: { releaseId: ID, target: digest(1) } } };
const scanningRelease = (attempt = 1) =>
  aRelease({ phase: 'scanning', progress: { scanRunId: 'scan-1', scanStartedAt: iso(0), scanAttempt: attempt } });

/** Trivy's own report of alpine 3.9 (two CRITICAL findings), and the same with nothing found. */
const vulnerable = sharedJson<Record<string, unknown>>('trivy', 'alpine-39-high-critical.json.golden');
const clean = { ...vulnerable, Results: [] };

function withRun(run: ScanRun | 'error', extra: WorldScript = {}) {
  const puts: CachedVerdict[] = [];
  const w = world({
    heads: pending,
    scanner: {
      get: () => (run === 'error' ? errR(fail('transient', 'ARM 503')) : okR(run)),
      start: () => okR({ runId: 'scan-2' }),
    },
    scanCache: {
      put: (_k, v) => {
        puts.push(v);
        return Promise.resolve();
      },
    },
    ...extra,
  });
  return { w, puts };
}

describe('scanning', () => {
  it('waits on the scanner while the run is running, until the scan deadline', async () => {
    const { w } = withRun({ state: 'running', runId: 'scan-1' });
    expect(await scanning(ctx(scanningRelease(), w, at(30)))).toEqual({
      kind: 'wait',
      on: 'scan',
      for: 'scanner: run scan-1',
      deadline: at(900),
      afterSeconds: 10,
    });
  });

  it('scans again once when the run overruns its deadline, then fails closed', async () => {
    const { w } = withRun({ state: 'running', runId: 'scan-1' });
    expect(await scanning(ctx(scanningRelease(1), w, at(901)))).toEqual({
      kind: 'advance',
      to: 'scanning',
      reason: `Trivy scan scan-2 started for ${digest(1)} (attempt 2)`,
      progress: { scanRunId: 'scan-2', scanStartedAt: iso(901), scanAttempt: 2 },
      afterSeconds: 10,
    });
    expect(await scanning(ctx(scanningRelease(2), w, at(901)))).toEqual({
      kind: 'advance',
      to: 'blocked',
      reason: 'scan run scan-1 did not finish within 900 s (fail closed after 2 attempts)',
      head: { ...head, lastBlocked: { releaseId: ID, target: digest(1) } },
    });
  });

  it('retries reading the run while the scanner is unavailable, then counts it as a failed attempt', async () => {
    const { w } = withRun('error');
    expect(await scanning(ctx(scanningRelease(), w, at(899)))).toEqual({
      kind: 'wait',
      on: 'scan',
      for: 'scanner: run scan-1',
      deadline: at(900),
      afterSeconds: 10,
    });
    expect(await scanning(ctx(scanningRelease(2), w, at(900)))).toMatchObject({
      to: 'blocked',
      reason: 'scan run scan-1 could not be read: ARM 503 (fail closed after 2 attempts)',
    });
  });

  it('a failed run or an unreadable report is a failed attempt', async () => {
    const failed = withRun({ state: 'failed', runId: 'scan-1', reason: 'exit 1' });
    expect(await scanning(ctx(scanningRelease(2), failed.w, at(5)))).toMatchObject({
      to: 'blocked',
      reason: 'scan run scan-1 failed: exit 1 (fail closed after 2 attempts)',
    });
    const garbage = withRun({ state: 'done', runId: 'scan-1', report: { nope: true } });
    expect(await scanning(ctx(scanningRelease(1), garbage.w, at(5)))).toMatchObject({
      to: 'scanning',
      reason: expect.stringMatching(/attempt 2/),
    });
  });

  it('a clean report passes the gate, is cached and takes the deploy slot', async () => {
    const { w, puts } = withRun({ state: 'done', runId: 'scan-1', report: clean });
    const d = await scanning(ctx(scanningRelease(), w, at(40)));
    expect(d).toMatchObject({
      kind: 'advance',
      to: 'deploying',
      reason: 'scan gate: passed: no HIGH/CRITICAL findings',
      head: { ...head, active: { releaseId: ID, target: digest(1) } },
      outcome: { scan: { runId: 'scan-1', outcome: 'pass', blockingTotal: 0, blocking: [] } },
    });
    expect(puts).toEqual([
      {
        outcome: 'pass',
        summary: 'passed: no HIGH/CRITICAL findings',
        verdict: d.outcome?.scan,
        scannedAt: iso(40),
        expiresAt: iso(40 + 24 * 3600),
      },
    ]);
  });

  it('a report with CRITICAL findings blocks, and the release keeps the findings as evidence', async () => {
    const { w, puts } = withRun({ state: 'done', runId: 'scan-1', report: vulnerable });
    const d = await scanning(ctx(scanningRelease(), w, at(40)));
    expect(d).toMatchObject({
      kind: 'advance',
      to: 'blocked',
      reason: expect.stringMatching(/^scan gate: blocked: \d+ CRITICAL/),
      head: { ...head, lastBlocked: { releaseId: ID, target: digest(1) } },
      outcome: { scan: { runId: 'scan-1', outcome: 'blocked', blockingTotal: 2 } },
    });
    expect(d.outcome?.scan?.blocking.map((f) => f.severity)).toEqual(['CRITICAL', 'CRITICAL']);
    expect(puts[0]?.outcome).toBe('blocked');
  });

  it('an ignore entry that expires shortens the cached verdict, and the release records what was ignored and why', async () => {
    const ignoreFile = parseIgnoreFile('.trivyignore', 'CVE-2019-14697 exp:2026-11-27\n');
    if (!ignoreFile.ok) throw new Error(ignoreFile.error.message);
    const { w, puts } = withRun(
      { state: 'done', runId: 'scan-1', report: vulnerable },
      { settings: { scanPolicy: { ...DEFAULT_SCAN_POLICY, ignoreFile: ignoreFile.value } } },
    );
    const d = await scanning(ctx(scanningRelease(), w, at(40)));
    expect(d).toMatchObject({
      to: 'deploying',
      outcome: { scan: { outcome: 'pass', ignored: [{ id: 'CVE-2019-14697' }, { id: 'CVE-2019-14697' }] } },
    });
    expect(new Date(puts[0]?.expiresAt ?? '').getTime()).toBeLessThan(at(40 + 24 * 3600).getTime());
  });

  it('a release without a digest has nothing to scan again: blocked', async () => {
    const failed = withRun({ state: 'failed', runId: 'scan-1', reason: 'exit 1' });
    const noImage = aRelease({
      image: undefined,
      phase: 'scanning',
      progress: { scanRunId: 'scan-1', scanStartedAt: iso(0), scanAttempt: 1 },
    });
    expect(await scanning(ctx(noImage, failed.w, at(5)))).toMatchObject({
      to: 'blocked',
      reason: 'nothing to scan: the release has no digest',
    });
  });
});
