import { describe, expect, it } from 'vitest';
import { queued } from '../../../../src/services/pipeline/steps/queued.js';
import { COMMIT, REGISTRY, aRelease, aScanRecord, at, ctx, digest, errR, fail, iso, okR, world } from '../world.js';
import type { CachedVerdict } from '../../../../src/services/ports.js';

const ID = 'r-test-000001';
const pending = { 'tailspin-server/dev': { pending: { releaseId: ID, target: digest(1) } } };
const head = { app: 'tailspin-server', environment: 'dev', quarantined: [] };

const scan = aScanRecord();
const cached = (outcome: 'pass' | 'blocked'): CachedVerdict => ({
  outcome,
  summary: outcome === 'pass' ? 'passed: no HIGH/CRITICAL findings' : 'blocked: 1 CRITICAL',
  verdict: { ...scan, outcome },
  scannedAt: iso(-60),
  expiresAt: iso(3600),
});

describe('queued: image releases', () => {
  it('uses a cached pass and takes the deploy slot', async () => {
    const w = world({ heads: pending, scanCache: { get: () => Promise.resolve(cached('pass')) } });
    expect(await queued(ctx(aRelease(), w))).toEqual({
      kind: 'advance',
      to: 'deploying',
      reason: `scan verdict from ${iso(-60)} (cached): passed: no HIGH/CRITICAL findings`,
      outcome: { scan: { ...scan, cached: true } },
      head: { ...head, active: { releaseId: ID, target: digest(1) } },
    });
    expect(w.callsTo('scanner')).toEqual([]);
  });

  it('ends blocked on a cached block, remembering the digest as just blocked', async () => {
    const w = world({ heads: pending, scanCache: { get: () => Promise.resolve(cached('blocked')) } });
    expect(await queued(ctx(aRelease(), w))).toEqual({
      kind: 'advance',
      to: 'blocked',
      reason: `scan verdict from ${iso(-60)} (cached): blocked: 1 CRITICAL`,
      outcome: { scan: { ...scan, outcome: 'blocked', cached: true } },
      head: { ...head, lastBlocked: { releaseId: ID, target: digest(1) } },
    });
  });

  it('starts a scan of the exact digest when nothing is cached', async () => {
    const w = world({
      scanCache: { get: () => Promise.resolve(undefined) },
      scanner: { start: () => okR({ runId: 'scan-1' }) },
    });
    expect(await queued(ctx(aRelease(), w))).toEqual({
      kind: 'advance',
      to: 'scanning',
      reason: `Trivy scan scan-1 started for ${digest(1)} (attempt 1)`,
      progress: { scanRunId: 'scan-1', scanStartedAt: iso(0), scanAttempt: 1 },
      afterSeconds: 10,
    });
    expect(w.calls.find((c) => c.method === 'start')?.args).toEqual([
      { registry: REGISTRY, repository: 'tailspin-server', digest: digest(1) },
    ]);
  });

  it('waits on the scanner when the scan cannot be scheduled yet, after Retry-After', async () => {
    const w = world({
      scanCache: { get: () => Promise.resolve(undefined) },
      scanner: { start: () => errR(fail('rate-limited', 'slow down', { retryAfterMs: 12_500 })) },
    });
    expect(await queued(ctx(aRelease(), w, at(60)))).toEqual({
      kind: 'wait',
      on: 'scan',
      for: 'scanner: scheduling the scan',
      deadline: at(900),
      afterSeconds: 13,
    });
  });

  it('fails closed when the scan cannot be scheduled before the deadline', async () => {
    const w = world({
      heads: pending,
      scanCache: { get: () => Promise.resolve(undefined) },
      scanner: { start: () => errR(fail('transient', 'ARM 503')) },
    });
    expect(await queued(ctx(aRelease(), w, at(900)))).toEqual({
      kind: 'advance',
      to: 'blocked',
      reason: 'scan could not be started (fail closed): ARM 503',
      head: { ...head, lastBlocked: { releaseId: ID, target: digest(1) } },
    });
  });

  it('fails closed at once on an error that waiting will not fix', async () => {
    const w = world({ scanCache: { get: () => Promise.resolve(undefined) }, scanner: { start: () => errR(fail('auth', 'no role')) } });
    const d = await queued(ctx(aRelease(), w, at(1)));
    expect(d).toMatchObject({ kind: 'advance', to: 'blocked', reason: 'scan could not be started (fail closed): no role' });
  });
});

describe('queued: the deploy slot', () => {
  const other = aRelease({
    id: 'r-other',
    image: { registry: REGISTRY, repository: 'tailspin-server', digest: digest(9) },
    phase: 'verifying',
  });

  it('waits on the slot while another release holds it, its deadline counted from the first wait', async () => {
    const heads = {
      'tailspin-server/dev': { pending: { releaseId: ID, target: digest(1) }, active: { releaseId: 'r-other', target: digest(9) } },
    };
    // The holder is still at work (a holder that has ended is cleared: the test after the next).
    const w = world({ heads, scanCache: { get: () => Promise.resolve(cached('pass')) }, store: { get: () => Promise.resolve(other) } });
    const first = await queued(ctx(aRelease(), w, at(10)));
    expect(first).toEqual({
      kind: 'wait',
      on: 'slot',
      for: 'deploy slot: waiting for release r-other to finish',
      deadline: at(10 + 1800),
      afterSeconds: 5,
      outcome: { scan: { ...scan, cached: true } },
    });
    const waiting = aRelease({ wait: { on: 'slot', for: 'deploy slot: …', since: iso(10), deadline: iso(1810) } });
    expect(await queued(ctx(waiting, w, at(600)))).toMatchObject({ kind: 'wait', on: 'slot', deadline: at(1810) });
    expect(await queued(ctx(waiting, w, at(1811)))).toEqual({
      kind: 'advance',
      to: 'blocked',
      reason: 'gave up after 1800 s waiting for release r-other to finish',
      outcome: { scan: { ...scan, cached: true } },
      head: {
        ...head,
        active: { releaseId: 'r-other', target: digest(9) },
        lastBlocked: { releaseId: ID, target: digest(1) },
      },
    });
  });

  it('a wait on something else does not count towards the slot deadline', async () => {
    const heads = {
      'tailspin-server/dev': { pending: { releaseId: ID, target: digest(1) }, active: { releaseId: 'r-other', target: digest(9) } },
    };
    const w = world({ heads, scanCache: { get: () => Promise.resolve(cached('pass')) }, store: { get: () => Promise.resolve(other) } });
    const r = aRelease({ wait: { on: 'scan', for: 'scanner: run x', since: iso(-5000), deadline: iso(0) } });
    expect(await queued(ctx(r, w, at(10)))).toMatchObject({ kind: 'wait', on: 'slot', deadline: at(1810) });
  });

  it('takes the slot over from a holder that has ended (or vanished) without freeing it', async () => {
    const heads = {
      'tailspin-server/dev': {
        pending: { releaseId: ID, target: digest(1) },
        active: { releaseId: 'r-other', target: COMMIT, kind: 'manifest' as const },
      },
    };
    for (const holder of [{ ...other, phase: 'succeeded' as const }, undefined]) {
      const w = world({ heads, scanCache: { get: () => Promise.resolve(cached('pass')) }, store: { get: () => Promise.resolve(holder) } });
      expect(await queued(ctx(aRelease(), w, at(10)))).toMatchObject({
        kind: 'advance',
        to: 'deploying',
        head: { ...head, active: { releaseId: ID, target: digest(1) } },
      });
    }
  });

  it('is superseded when a newer release took its pending place', async () => {
    const heads = { 'tailspin-server/dev': { pending: { releaseId: 'r-newer', target: digest(2) } } };
    const w = world({ heads, scanCache: { get: () => Promise.resolve(cached('pass')) } });
    expect(await queued(ctx(aRelease(), w))).toEqual({
      kind: 'advance',
      to: 'superseded',
      reason: 'superseded by newer release r-newer',
      outcome: { scan: { ...scan, cached: true } },
    });
  });
});

describe('queued: tags, rollbacks, manifests, builds', () => {
  const tagged = aRelease({ image: undefined, unresolvedImage: `${REGISTRY}/tailspin-server:v7` });

  it('resolves a tag to a digest and goes on at once', async () => {
    const w = world({ builder: { resolveTag: () => okR(digest(7)) } });
    expect(await queued(ctx(tagged, w))).toEqual({
      kind: 'continue',
      image: { registry: REGISTRY, repository: 'tailspin-server', digest: digest(7), tag: 'v7' },
      progress: { resolvedTagAt: iso(0) },
    });
    expect(w.calls.find((c) => c.method === 'resolveTag')?.args).toEqual(['tailspin-server', 'v7']);
  });

  it('retries a transient registry error for five minutes, then blocks', async () => {
    const w = world({ builder: { resolveTag: () => errR(fail('transient', 'registry 502')) } });
    expect(await queued(ctx(tagged, w, at(299)))).toEqual({
      kind: 'wait',
      on: 'registry',
      for: 'registry: resolving tag v7',
      deadline: at(300),
      afterSeconds: 5,
    });
    expect(await queued(ctx(tagged, w, at(300)))).toEqual({
      kind: 'advance',
      to: 'blocked',
      reason: 'tag v7 could not be resolved to a digest: registry 502',
      head,
    });
  });

  it('blocks an image reference that is not a tag', async () => {
    const w = world();
    expect(await queued(ctx(aRelease({ image: undefined, unresolvedImage: 'not a ref' }), w))).toMatchObject({
      kind: 'advance',
      to: 'blocked',
      reason: expect.stringMatching(/^cannot resolve image "not a ref": /),
    });
    expect(await queued(ctx(aRelease({ image: undefined }), w))).toMatchObject({ to: 'blocked' });
  });

  it('a manual rollback takes the slot, to a verified digest or to the previous revision', async () => {
    const w = world({ heads: pending });
    expect(await queued(ctx(aRelease({ kind: 'rollback' }), w))).toEqual({
      kind: 'advance',
      to: 'deploying',
      reason: `rolling back to verified ${digest(1)}`,
      head: { ...head, active: { releaseId: ID, target: digest(1) } },
    });
    expect(await queued(ctx(aRelease({ kind: 'rollback', image: undefined }), w))).toMatchObject({
      to: 'deploying',
      reason: 'rolling back to the previous revision (no verified release known)',
    });
  });

  const build = aRelease({ kind: 'build', image: undefined, source: { door: 'github', eventId: 'delivery-1' } });

  it('starts the ACR build of the commit, tagged with the commit and latest', async () => {
    const w = world({ builder: { start: () => okR({ runId: 'cb1' }) } });
    expect(await queued(ctx(build, w))).toEqual({
      kind: 'advance',
      to: 'building',
      reason: 'ACR build cb1 started for c0ffee0',
      progress: { buildRunId: 'cb1', buildStartedAt: iso(0) },
      afterSeconds: 15,
    });
    expect(w.calls.find((c) => c.method === 'start')?.args).toEqual([
      {
        app: 'tailspin-server',
        commit: COMMIT,
        repository: 'tailspin/tailspin-toys',
        dockerfile: 'server/Dockerfile',
        context: 'server',
        imageNames: [`tailspin-server:${COMMIT}`],
      },
    ]);
  });

  it('waits on ACR while the build cannot be scheduled, then fails after the build deadline', async () => {
    const w = world({ builder: { start: () => errR(fail('transient', 'ARM 500')) } });
    expect(await queued(ctx(build, w, at(100)))).toEqual({
      kind: 'wait',
      on: 'build',
      for: 'acr: scheduling the build',
      deadline: at(2100),
      afterSeconds: 5,
    });
    expect(await queued(ctx(build, w, at(2100)))).toEqual({
      kind: 'advance',
      to: 'failed',
      reason: 'build could not be scheduled: ARM 500',
      head,
    });
  });

  it('a build release without a commit fails', async () => {
    expect(await queued(ctx({ ...build, commit: undefined }, world()))).toMatchObject({
      to: 'failed',
      reason: 'build release without an app or commit',
    });
  });
});
