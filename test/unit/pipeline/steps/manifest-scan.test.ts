import { describe, expect, it } from 'vitest';
import { manifestScanning } from '../../../../src/services/pipeline/steps/manifest-scan.js';
import type { GatedImage, Release } from '../../../../src/services/domain/release.js';
import type { CachedVerdict, ScanRun } from '../../../../src/services/ports.js';
import { sharedJson } from '../../../helpers/fixtures.js';
import { DEFAULT_SCAN_POLICY, verdictCacheKey } from '../../../../src/services/scan-policy/index.js';
import { COMMIT, REGISTRY, aScanRecord, at, ctx, digest, errR, fail, iso, okR, world, type WorldScript } from '../world.js';
import { ID, manifest, where } from './manifest-fixture.js';

const vulnerable = sharedJson<Record<string, unknown>>('trivy', 'alpine-39-high-critical.json.golden');
const clean = { ...vulnerable, Results: [] };
const A = `${REGISTRY}/log-agent@${digest(3)}`;
const B = `${REGISTRY}/migrate@${digest(5)}`;
const scanningRelease = (images: GatedImage[]): Release =>
  manifest({
    phase: 'scanning',
    timeline: [{ at: iso(0), from: 'queued', to: 'scanning', reason: 'scanning', correlationId: 'evt-1' }],
    progress: {
      manifest: { objects: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' } }], pins: {}, images, fallback: {} },
    },
  });
const both = (a: Partial<GatedImage> = {}, b: Partial<GatedImage> = {}) => [
  { image: A, where: [where('containers[1]')], ...a },
  { image: B, where: [where('initContainers[0]')], ...b },
];
const cached = (outcome: 'pass' | 'blocked'): CachedVerdict => ({
  outcome,
  summary: outcome === 'pass' ? 'passed' : 'blocked: 1 CRITICAL',
  verdict: aScanRecord({ outcome }),
  scannedAt: iso(-60),
  expiresAt: iso(3600),
});

function w(runs: Record<string, ScanRun | 'error'>, s: WorldScript = {}) {
  const started: string[] = [];
  const puts: string[] = [];
  const ww = world({
    heads: { 'k8s/dev': { pending: { releaseId: ID, target: COMMIT } } },
    scanCache: {
      get: () => Promise.resolve(undefined),
      put: (k) => {
        puts.push(k);
        return Promise.resolve();
      },
    },
    scanner: {
      start: (t) => {
        started.push(t.digest);
        return okR({ runId: `run-${started.length}` });
      },
      get: (id) => {
        const run = runs[id];
        return run === 'error' || !run ? errR(fail('transient', 'ARM 503')) : okR(run);
      },
    },
    ...s,
  });
  return { ww, started, puts };
}

describe('manifest releases: scanning', () => {
  it('starts a scan of every image not judged before, all at once, and waits on them', async () => {
    const { ww, started } = w({});
    const decision = await manifestScanning(ctx(scanningRelease(both()), ww, at(1)));
    expect(started).toEqual([digest(3), digest(5)]);
    expect(decision).toMatchObject({
      kind: 'wait',
      on: 'scan',
      for: 'scanner: 0 of 2 images judged; run run-1, run run-2',
      afterSeconds: 10,
      progress: { manifest: { images: [{ scanRunId: 'run-1', scanStartedAt: iso(1), scanAttempt: 1 }, { scanRunId: 'run-2' }] } },
    });
  });

  it('all pass (one from the cache): takes the k8s slot, the verdicts recorded', async () => {
    const puts: string[] = [];
    const { ww, started } = w(
      { 'run-1': { state: 'done', runId: 'run-1', report: clean } },
      {
        scanCache: {
          get: (k) => Promise.resolve(k === verdictCacheKey(digest(5), DEFAULT_SCAN_POLICY) ? cached('pass') : undefined),
          put: (k) => Promise.resolve(void puts.push(k)),
        },
      },
    );
    const r = scanningRelease(both({ scanRunId: 'run-1', scanStartedAt: iso(0) }));
    const d = await manifestScanning(ctx(r, ww, at(20)));
    expect(d).toMatchObject({
      kind: 'advance',
      to: 'deploying',
      reason: 'scan gate: 2 images pass (1 from the cache)',
      head: { active: { releaseId: ID, target: COMMIT } },
      outcome: {
        manifest: {
          images: [
            { image: A, verdict: 'pass', where: [where('containers[1]')] },
            { image: B, verdict: 'pass', cached: true },
          ],
        },
      },
    });
    expect(puts).toEqual([verdictCacheKey(digest(3), DEFAULT_SCAN_POLICY)]);
    expect(started).toEqual([]);
  });

  it('a vulnerable image blocks the release, naming where it is used; the verdict is cached', async () => {
    const runs = { 'run-1': { state: 'done' as const, runId: 'run-1', report: vulnerable } };
    const puts: string[] = [];
    const { ww } = w(runs, {
      scanCache: {
        get: () => Promise.resolve(undefined),
        put: (k) => {
          puts.push(k);
          return Promise.resolve();
        },
      },
    });
    const r = scanningRelease(both({ scanRunId: 'run-1', scanStartedAt: iso(0) }, { verdict: 'pass', summary: 'passed' }));
    const d = await manifestScanning(ctx(r, ww, at(20)));
    expect(d).toMatchObject({
      kind: 'advance',
      to: 'blocked',
      reason: expect.stringMatching(
        new RegExp(`^scan gate: ${where('containers\\[1\\]').replace(/[.#/]/g, '\\$&')}: ${A.replace(/[.]/g, '\\.')}: blocked: .*CRITICAL`),
      ),
      outcome: { scan: { outcome: 'blocked', runId: 'run-1' } },
    });
    expect(puts).toHaveLength(1);
  });

  it('an image that cannot be scanned blocks (fail closed) after its retries; a scanner hiccup is waited out', async () => {
    const failed = { 'run-1': { state: 'failed' as const, runId: 'run-1', reason: 'MANIFEST_UNKNOWN' } };
    const r1 = scanningRelease(both({ scanRunId: 'run-1', scanStartedAt: iso(0), scanAttempt: 1 }, { verdict: 'pass' }));
    const retried = w(failed);
    expect(await manifestScanning(ctx(r1, retried.ww, at(20)))).toMatchObject({
      kind: 'wait',
      progress: { manifest: { images: [{ scanRunId: 'run-1', scanAttempt: 2 }, { verdict: 'pass' }] } },
    });
    const r2 = scanningRelease(both({ scanRunId: 'run-1', scanStartedAt: iso(0), scanAttempt: 2 }, { verdict: 'pass' }));
    expect(await manifestScanning(ctx(r2, w(failed).ww, at(20)))).toMatchObject({
      to: 'blocked',
      reason: `scan gate: ${where('containers[1]')}: ${A}: scan run run-1 failed: MANIFEST_UNKNOWN (fail closed after 2 attempts)`,
    });
    expect(await manifestScanning(ctx(r1, w({ 'run-1': 'error' }).ww, at(20)))).toMatchObject({
      kind: 'wait',
      for: expect.stringContaining('ARM 503'),
    });
    const refused = w({}, { scanner: { start: () => errR(fail('auth', 'AuthorizationFailed')) } });
    expect(await manifestScanning(ctx(scanningRelease(both()), refused.ww, at(1)))).toMatchObject({
      to: 'blocked',
      reason: expect.stringContaining(`${A}: the scan could not be started (fail closed): AuthorizationFailed (auth: final, not retried)`),
    });
  });

  it('a run that does not finish in time is retried, then blocks', async () => {
    const running = { 'run-1': { state: 'running' as const, runId: 'run-1' } };
    const r = scanningRelease(both({ scanRunId: 'run-1', scanStartedAt: iso(0), scanAttempt: 2 }, { verdict: 'pass' }));
    expect(await manifestScanning(ctx(r, w(running).ww, at(30)))).toMatchObject({ kind: 'wait', deadline: at(900) });
    expect(await manifestScanning(ctx(r, w(running).ww, at(901)))).toMatchObject({
      to: 'blocked',
      reason: expect.stringContaining('did not finish within 900 s (fail closed after 2 attempts)'),
    });
  });

  it('an unreadable report is tried again; an unreadable run (final), an image not pinned by digest and a missing plan end it', async () => {
    const garbled = { 'run-1': { state: 'done' as const, runId: 'run-1', report: { nope: true } } };
    const r = scanningRelease(both({ scanRunId: 'run-1', scanStartedAt: iso(0) }, { verdict: 'pass' }));
    expect(await manifestScanning(ctx(r, w(garbled).ww, at(20)))).toMatchObject({
      kind: 'wait',
      progress: { manifest: { images: [{ scanRunId: 'run-1', scanAttempt: 2 }, { verdict: 'pass' }] } },
    });
    const gone = w({}, { scanner: { get: () => errR(fail('not-found', 'run gone')), start: () => okR({ runId: 'run-9' }) } });
    expect(await manifestScanning(ctx(r, gone.ww, at(20)))).toMatchObject({ kind: 'wait', for: expect.stringContaining('run run-9') });
    const tagged = scanningRelease([{ image: `${REGISTRY}/log-agent:1.2`, where: ['x'] }]);
    expect(await manifestScanning(ctx(tagged, w({}).ww))).toMatchObject({
      to: 'blocked',
      reason: `scan gate: x: ${REGISTRY}/log-agent:1.2: not pinned by digest`,
    });
    expect(await manifestScanning(ctx(manifest({ phase: 'scanning' }), world({ heads: { 'k8s/dev': {} } })))).toMatchObject({
      to: 'failed',
      reason: 'manifest release in scanning without a plan',
    });
  });

  it('a scan that cannot be started for a while is tried again until the gate deadline, then blocks', async () => {
    const busy = w({}, { scanner: { start: () => errR(fail('rate-limited', 'throttled', { retryAfterMs: 20_000 })) } });
    expect(await manifestScanning(ctx(scanningRelease(both()), busy.ww, at(1)))).toMatchObject({
      kind: 'wait',
      for: 'scanner: 0 of 2 images judged; starting its scan (throttled), starting its scan (throttled)',
    });
    expect(await manifestScanning(ctx(scanningRelease(both()), busy.ww, at(900)))).toMatchObject({
      to: 'blocked',
      reason: expect.stringContaining('the scan could not be started (fail closed): throttled (rate-limited)'),
    });
  });
});
