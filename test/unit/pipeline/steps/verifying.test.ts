import { describe, expect, it } from 'vitest';
import { verifying, versionOf } from '../../../../src/services/pipeline/steps/verifying.js';
import type { TelemetryQuery, TelemetrySample } from '../../../../src/services/ports.js';
import type { PipelineSettings } from '../../../../src/services/pipeline/deps.js';
import { CATALOG, COMMIT, aRelease, at, ctx, digest, errR, fail, iso, okR, pinned, world } from '../world.js';

const ID = 'r-test-000001';
const thresholds = { errorRateMax: 0.01, p95MsMax: 2000, minRequests: 50 };
const smokeOk = { check: 'GET tailspin-server:5100/api/games', ok: true, status: 200, durationMs: 12 };
const head = { app: 'tailspin-server', environment: 'dev', quarantined: [] };
const observing = (over: Partial<Parameters<typeof aRelease>[0]> = {}) =>
  aRelease({
    phase: 'verifying',
    progress: { imageSetAt: iso(-20), smokePassedAt: iso(0), verifyStartedAt: iso(0), verifyUntil: iso(300) },
    ...over,
  });
const sample = (requests: number, failures: number, p95Ms: number | null = 100): TelemetrySample => ({ requests, failures, p95Ms });

function telemetryWorld(answer: TelemetrySample | 'down', settings: Partial<PipelineSettings> = {}) {
  const queries: TelemetryQuery[] = [];
  const w = world({
    settings,
    heads: { 'tailspin-server/dev': { active: { releaseId: ID, target: digest(1) } } },
    telemetry: {
      requests: (q) => {
        queries.push(q);
        return answer === 'down' ? errR(fail('transient', 'workspace 503')) : okR(answer);
      },
    },
    cluster: { events: () => okR([]) },
  });
  return { w, queries };
}

describe('verifying: smoke checks', () => {
  const smoking = aRelease({ phase: 'verifying', progress: { imageSetAt: iso(-20) } });

  it('passing smoke checks open the observation window, with the same-length baseline before the deploy', async () => {
    const w = world({ cluster: { smoke: () => okR(smokeOk) }, telemetry: { requests: () => okR(sample(400, 2, 250)) } });
    expect(await verifying(ctx(smoking, w, at(5)))).toEqual({
      kind: 'continue',
      progress: { smokePassedAt: iso(5), verifyStartedAt: iso(5), verifyUntil: iso(305) },
      outcome: {
        smoke: [smokeOk],
        baseline: { requests: 400, failures: 2, errorRate: 0.005, p95Ms: 250, from: iso(-320), to: iso(-20) },
      },
    });
    expect(w.calls.filter((c) => c.port === 'telemetry').map((c) => c.args[0])).toEqual([
      { roleName: 'tailspin-server', from: at(-320), to: at(-20) },
    ]);
  });

  it('no baseline is reported when the telemetry cannot say', async () => {
    const w = world({ cluster: { smoke: () => okR(smokeOk) }, telemetry: { requests: () => errR(fail('auth', 'no')) } });
    expect(await verifying(ctx(smoking, w))).toMatchObject({ kind: 'continue', outcome: { smoke: [smokeOk] } });
    expect((await verifying(ctx(smoking, w))).outcome?.baseline).toBeUndefined();
  });

  it('a failing check is tried again, then rolls back with the results as evidence', async () => {
    const bad = { check: 'GET tailspin-server:5100/api/games', ok: false, status: 503, durationMs: 3 };
    const w = world({ cluster: { smoke: () => okR(bad), events: () => okR([]) } });
    expect(await verifying(ctx(smoking, w, at(1)))).toEqual({
      kind: 'wait',
      on: 'smoke',
      for: 'smoke: GET tailspin-server:5100/api/games (attempt 1)',
      deadline: at(5),
      afterSeconds: 2,
      progress: { smokeAttempt: 1 },
      outcome: { smoke: [bad] },
    });
    const tried = aRelease({ phase: 'verifying', progress: { imageSetAt: iso(-20), smokeAttempt: 2 } });
    const reason = 'smoke check failed after 3 attempts: GET tailspin-server:5100/api/games → 503';
    expect(await verifying(ctx(tried, w, at(9)))).toEqual({
      kind: 'advance',
      to: 'rolling_back',
      reason,
      outcome: { failure: { reason, at: iso(9), smoke: [bad], events: [] } },
    });
  });

  it('a check the cluster could not run counts as failed, with the error as detail', async () => {
    const w = world({ cluster: { smoke: () => errR(fail('transient', 'proxy 502')) } });
    expect(await verifying(ctx(smoking, w))).toMatchObject({
      kind: 'wait',
      outcome: { smoke: [{ check: 'GET tailspin-server:5100/api/games', ok: false, durationMs: 0, detail: 'proxy 502' }] },
    });
  });
});

describe('verifying: the observation window', () => {
  const measured = (requests: number, failures: number, p95Ms: number | null, s: number) => ({
    requests,
    failures,
    errorRate: requests > 0 ? failures / requests : null,
    p95Ms,
    at: iso(s),
    from: iso(0),
    thresholds,
  });

  it('keeps observing a healthy release until the window ends, no longer than the interval', async () => {
    const { w, queries } = telemetryWorld(sample(200, 0));
    expect(await verifying(ctx(observing(), w, at(60)))).toEqual({
      kind: 'wait',
      on: 'telemetry',
      for: `telemetry: observing until ${iso(300)}`,
      deadline: at(300),
      afterSeconds: 30,
      outcome: { measurements: measured(200, 0, 100, 60) },
    });
    expect(queries).toEqual([{ roleName: 'tailspin-server', from: at(0), to: at(60) }]);
    expect(await verifying(ctx(observing(), w, at(290)))).toMatchObject({ kind: 'wait', afterSeconds: 10 });
  });

  it('succeeds at the end of a healthy window and becomes the last verified release', async () => {
    const { w } = telemetryWorld(sample(1000, 2, 300));
    expect(await verifying(ctx(observing(), w, at(300)))).toEqual({
      kind: 'advance',
      to: 'succeeded',
      reason: 'verified: 1000 requests, error rate 0.20%, P95 300 ms over 300 s',
      outcome: { measurements: measured(1000, 2, 300, 300) },
      head: { ...head, lastGood: { releaseId: ID, target: digest(1), image: aRelease().image } },
    });
  });

  it('rolls back on a breach at once, with the breaching sample as the evidence', async () => {
    const { w } = telemetryWorld(sample(100, 5));
    const reason = 'telemetry breach: error rate 5.00% > 1.00% (5 of 100 requests failed)';
    const m = measured(100, 5, 100, 40);
    expect(await verifying(ctx(observing(), w, at(40)))).toEqual({
      kind: 'advance',
      to: 'rolling_back',
      reason,
      outcome: { measurements: m, failure: { reason, at: iso(40), measurements: m, events: [] } },
    });
  });

  it('extends an inconclusive window once, then holds the release unverified (extend-then-hold)', async () => {
    const { w } = telemetryWorld(sample(10, 0));
    expect(await verifying(ctx(observing(), w, at(300)))).toEqual({
      kind: 'wait',
      on: 'telemetry',
      for: 'telemetry: 10 requests < minimum 50; window extended once',
      deadline: at(600),
      afterSeconds: 30,
      progress: { verifyExtended: true, verifyUntil: iso(600) },
      outcome: { measurements: measured(10, 0, 100, 300) },
    });
    const extended = observing({
      progress: { smokePassedAt: iso(0), verifyStartedAt: iso(0), verifyUntil: iso(600), verifyExtended: true },
    });
    expect(await verifying(ctx(extended, w, at(600)))).toEqual({
      kind: 'advance',
      to: 'unverified',
      reason: 'inconclusive telemetry (10 requests < minimum 50); held as unverified by policy',
      outcome: { measurements: measured(10, 0, 100, 600) },
      head,
    });
  });

  it('extend-then-pass passes with a warning; hold does not extend', async () => {
    const pass = telemetryWorld(sample(10, 0), { inconclusive: 'extend-then-pass' });
    const extended = observing({
      progress: { verifyStartedAt: iso(0), verifyUntil: iso(600), verifyExtended: true, smokePassedAt: iso(0) },
    });
    expect(await verifying(ctx(extended, pass.w, at(600)))).toMatchObject({
      to: 'succeeded',
      reason: 'passed with a warning: inconclusive telemetry (10 requests < minimum 50), no breach seen',
      outcome: { warning: '10 requests < minimum 50' },
    });
    const hold = telemetryWorld(sample(10, 0), { inconclusive: 'hold' });
    expect(await verifying(ctx(observing(), hold.w, at(300)))).toMatchObject({ to: 'unverified' });
  });

  it('an unavailable backend keeps retrying, then ends unverified — never a pass, never blamed on the app', async () => {
    const { w } = telemetryWorld('down');
    const trouble = (s: number, failures: number) => ({ at: iso(s), from: iso(0), error: 'transient: workspace 503', failures });
    expect(await verifying(ctx(observing(), w, at(60)))).toEqual({
      kind: 'wait',
      on: 'telemetry',
      for: 'telemetry: unavailable (transient), retrying',
      deadline: at(300),
      afterSeconds: 30,
      progress: { telemetryFailures: 1 },
      outcome: { telemetry: trouble(60, 1) },
    });
    const again = observing({ progress: { ...observing().progress, telemetryFailures: 4 } });
    expect(await verifying(ctx(again, w, at(300)))).toEqual({
      kind: 'advance',
      to: 'unverified',
      reason: 'telemetry unavailable for the whole window (workspace 503); the release keeps running unverified',
      outcome: { telemetry: trouble(300, 5) },
      head,
    });
  });

  it('with the rollback policy, an unavailable backend rolls back', async () => {
    const { w } = telemetryWorld('down', { telemetryUnavailable: 'rollback' });
    expect(await verifying(ctx(observing(), w, at(60)))).toMatchObject({
      to: 'rolling_back',
      reason: 'telemetry unavailable (workspace 503); policy rolls back',
    });
  });
});

describe('verifying: manifest releases and versions', () => {
  it('judges each app the manifests pinned on its own numbers', async () => {
    const byRole: Record<string, TelemetrySample> = { 'tailspin-server': sample(500, 0), 'tailspin-client': sample(100, 9) };
    const w = world({
      telemetry: { requests: (q) => okR(byRole[q.roleName] ?? sample(0, 0)) },
      cluster: { events: () => okR([]) },
    });
    const r = aRelease({
      app: 'k8s',
      kind: 'manifest',
      image: undefined,
      manifestCommit: COMMIT,
      phase: 'verifying',
      progress: {
        manifest: { objects: [], pins: { 'tailspin-server': pinned(1), 'tailspin-client': pinned(2, 'tailspin-client') } },
        smokePassedAt: iso(0),
        verifyStartedAt: iso(0),
        verifyUntil: iso(300),
      },
    });
    const d = await verifying({ ...ctx(r, w, at(60)), app: undefined });
    expect(d).toMatchObject({ to: 'rolling_back', reason: expect.stringMatching(/^telemetry breach: error rate 9\.00%/) });
    expect(d.outcome?.measurements?.perApp).toEqual({
      'tailspin-server': { requests: 500, failures: 0, errorRate: 0, p95Ms: 100 },
      'tailspin-client': { requests: 100, failures: 9, errorRate: 0.09, p95Ms: 100 },
    });
  });

  it('counts only the new version where the app reports one', () => {
    const app = CATALOG.apps[0]!;
    const r = aRelease();
    expect(versionOf(app, r)).toBeUndefined();
    expect(versionOf({ ...app, telemetryVersion: 'tag' }, r)).toBe('v1');
    expect(versionOf({ ...app, telemetryVersion: 'digest' }, r)).toBe(digest(1));
    expect(versionOf({ ...app, telemetryVersion: 'tag' }, aRelease({ image: undefined }))).toBeUndefined();
  });
});
