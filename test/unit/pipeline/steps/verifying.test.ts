/**
 * The verifying step on exact sample sequences: which telemetry it asks for and when, what it
 * decides for each sequence of cumulative counts (the sequential rule at production defaults:
 * threshold 1 % / P95 2 s, healthy ½×, failing 2×, α = β = 1 %, 300 s window, 30 s samples), what it
 * keeps between ticks and what it tells people.
 */
import { describe, expect, it } from 'vitest';
import { verifying, versionOf } from '../../../../src/services/pipeline/steps/verifying.js';
import { KEPT_LOOKS } from '../../../../src/services/pipeline/telemetry-verdict.js';
import type { TelemetryQuery, TelemetrySample } from '../../../../src/services/ports.js';
import type { PipelineSettings } from '../../../../src/services/pipeline/deps.js';
import type { Release, VerifyLook } from '../../../../src/services/domain/release.js';
import { CATALOG, COMMIT, aRelease, at, ctx, digest, errR, fail, iso, okR, pinned, world } from '../world.js';

const ID = 'r-test-000001';
const thresholds = { errorRateMax: 0.01, p95MsMax: 2000, minRequests: 50 };
const smokeOk = { check: 'GET tailspin-server:5100/api/games', ok: true, status: 200, durationMs: 12 };
const head = { app: 'tailspin-server', environment: 'dev', quarantined: [] };
const lastGood = { releaseId: ID, target: digest(1), image: aRelease().image };

/** An unsampled sample: every request is its own row. */
const sample = (requests: number, failures: number, slow = 0, p95Ms: number | null = 100): TelemetrySample => ({
  requests,
  failures,
  slow,
  p95Ms,
  retained: { requests, failures, slow },
});
const look = (n: number, atS: number, requests: number, failures: number, slow = 0): VerifyLook => ({
  sample: n,
  atS,
  requests,
  failures,
  slow,
  p95Ms: 100,
});

const observing = (progress: Release['progress'] = {}, over: Partial<Release> = {}) =>
  aRelease({
    phase: 'verifying',
    progress: { imageSetAt: iso(-20), smokePassedAt: iso(0), verifyStartedAt: iso(0), verifyUntil: iso(300), ...progress },
    ...over,
  });

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

  it('passing smoke checks open the window and wait one interval for the first sample; the baseline is measured the same way', async () => {
    const w = world({ cluster: { smoke: () => okR(smokeOk) }, telemetry: { requests: () => okR(sample(400, 2, 3, 250)) } });
    expect(await verifying(ctx(smoking, w, at(5)))).toEqual({
      kind: 'wait',
      on: 'telemetry',
      for: `telemetry: first sample at ${iso(35)}`,
      deadline: at(305),
      afterSeconds: 30,
      progress: {
        smokePassedAt: iso(5),
        verifyStartedAt: iso(5),
        verifyUntil: iso(305),
        verifyBaseline: { 'tailspin-server': { requests: 400, failures: 2, slow: 3 } },
      },
      outcome: {
        smoke: [smokeOk],
        baseline: { requests: 400, failures: 2, errorRate: 0.005, p95Ms: 250, slow: 3, from: iso(-320), to: iso(-20) },
      },
    });
    expect(w.calls.filter((c) => c.port === 'telemetry').map((c) => c.args[0])).toEqual([
      { roleName: 'tailspin-server', from: at(-320), to: at(-20), slowAboveMs: 2000 },
    ]);
  });

  it('no baseline is recorded when the telemetry cannot say', async () => {
    const w = world({ cluster: { smoke: () => okR(smokeOk) }, telemetry: { requests: () => errR(fail('auth', 'no')) } });
    const d = await verifying(ctx(smoking, w));
    expect(d).toMatchObject({ kind: 'wait', outcome: { smoke: [smokeOk] } });
    expect(d.outcome?.baseline).toBeUndefined();
    expect(d.progress?.verifyBaseline).toBeUndefined();
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

describe('verifying: sampling the window', () => {
  it('a tick before the first sample is due waits for it without asking anything', async () => {
    const { w, queries } = telemetryWorld(sample(1, 0));
    expect(await verifying(ctx(observing(), w, at(12)))).toEqual({
      kind: 'wait',
      on: 'telemetry',
      for: `telemetry: first sample at ${iso(30)}`,
      deadline: at(300),
      afterSeconds: 18,
    });
    expect(queries).toEqual([]);
  });

  it('keeps observing while the evidence is open: the sample is kept, the decision and its measurements recorded', async () => {
    const { w, queries } = telemetryWorld(sample(150, 3, 1));
    const d = await verifying(ctx(observing(), w, at(30)));
    expect(queries).toEqual([{ roleName: 'tailspin-server', from: at(0), to: at(30), slowAboveMs: 2000 }]);
    expect(d).toMatchObject({
      kind: 'wait',
      on: 'telemetry',
      for: `telemetry: observing until ${iso(300)} (1 sample so far)`,
      deadline: at(300),
      afterSeconds: 30,
      progress: { verifyLooks: { 'tailspin-server': [look(1, 30, 150, 3, 1)] } },
      outcome: {
        measurements: { requests: 150, failures: 3, errorRate: 0.02, p95Ms: 100, slow: 1, at: iso(30), from: iso(0), thresholds },
        verification: {
          app: 'tailspin-server',
          role: 'tailspin-server',
          outcome: 'continue',
          samples: 1,
          windowS: 300,
          verdict: 'observing after 1 sample: error rate 2 % (95 % CI 0.68–5.7 %); 0.67 % of requests slower than 2 s (95 % CI 0.12–3.7 %)',
        },
      },
    });
    expect(d.outcome?.verification?.evidence).toEqual([
      {
        look: 1,
        atS: 30,
        requests: 150,
        failures: 3,
        slow: 1,
        p95Ms: 100,
        interval: { requests: 150, failures: 3, slow: 1 },
        // 3·ln 4 + 147·ln(0.98/0.995) = 1.926: between ln(0.005) and ln(200)
        errors: { rate: 0.02, ci95: [0.006825, 0.057147], llr: 1.926, side: 'open' },
        // ln 4 + 149·ln(0.9/0.975) = −10.54 ≤ ln(0.005): already healthy, the window still watched for a breach
        latency: { rate: 0.006667, ci95: [0.001178, 0.036793], llr: -10.54, side: 'healthy' },
      },
    ]);
    // Near the window's end it looks again at the end, not an interval later.
    expect(await verifying(ctx(observing(), w, at(290)))).toMatchObject({ kind: 'wait', afterSeconds: 10 });
  });

  it('5 % errors: 8 of the first 150 requests fail → rolled back at sample 1, the verdict as the reason', async () => {
    const { w } = telemetryWorld(sample(150, 8));
    const reason = 'error rate 5.3 % (95 % CI 2.7–10.2 %) is above 1 %: rolled back after 1 sample';
    const d = await verifying(ctx(observing(), w, at(30)));
    expect(d).toMatchObject({
      kind: 'advance',
      to: 'rolling_back',
      reason,
      outcome: {
        failure: { reason, at: iso(30), events: [], measurements: { requests: 150, failures: 8 } },
        verification: { outcome: 'breach', metrics: ['errors'], decidedBy: 'sequential', samples: 1, verdict: reason },
      },
    });
  });

  it('4 of 150 is still open; the second sample (12 of 290) crosses the boundary', async () => {
    const first = await verifying(ctx(observing(), telemetryWorld(sample(150, 4)).w, at(30)));
    expect(first).toMatchObject({ kind: 'wait', outcome: { verification: { outcome: 'continue' } } });
    const kept = first.progress?.verifyLooks;
    const second = await verifying(ctx(observing({ verifyLooks: kept }), telemetryWorld(sample(290, 12)).w, at(60)));
    expect(second).toMatchObject({
      to: 'rolling_back',
      reason: 'error rate 4.1 % (95 % CI 2.4–7.1 %) is above 1 %: rolled back after 2 samples',
    });
    expect(second.outcome?.verification?.evidence.map((e) => [e.look, e.errors.side, e.interval])).toEqual([
      [1, 'open', { requests: 150, failures: 4, slow: 0 }],
      [2, 'breach', { requests: 140, failures: 8, slow: 0 }],
    ]);
  });

  it('P95 above 2 s: 30 of the first 150 requests slower → rolled back at sample 1', async () => {
    const { w } = telemetryWorld(sample(150, 0, 30, 2600));
    expect(await verifying(ctx(observing(), w, at(30)))).toMatchObject({
      to: 'rolling_back',
      reason: 'P95 is above 2 s: 20 % of requests slower than 2 s (95 % CI 14.4–27.1 %), more than 5 %: rolled back after 1 sample',
    });
  });

  it('healthy at the window end succeeds with the verdict, and becomes the last verified release', async () => {
    const { w } = telemetryWorld(sample(1500, 3, 10, 300));
    const reason =
      'healthy after 1 sample (1500 requests): error rate 0.2 % (95 % CI 0.07–0.59 %) does not exceed 1 %; P95 is below 2 s: 0.67 % of requests slower than 2 s (95 % CI 0.36–1.2 %)';
    const d = await verifying(ctx(observing(), w, at(300)));
    expect(d).toMatchObject({
      kind: 'advance',
      to: 'succeeded',
      reason,
      head: { ...head, lastGood },
      outcome: { verification: { outcome: 'healthy', decidedBy: 'sequential', regressions: [], verdict: reason } },
    });
    expect(d.outcome?.warning).toBeUndefined();
  });

  it('healthy but significantly worse than its baseline: succeeds with a regression warning recorded', async () => {
    const { w } = telemetryWorld(sample(3000, 24, 20));
    const r = observing({ verifyBaseline: { 'tailspin-server': { requests: 3000, failures: 2, slow: 20 } } });
    expect(await verifying(ctx(r, w, at(300)))).toMatchObject({
      to: 'succeeded',
      reason: expect.stringMatching(
        /^healthy after 1 sample \(3000 requests\): error rate 0\.8 % .*; warning: significantly worse than before the deploy: the error rate \(baseline 0\.07 %, 95 % CI 0\.02–0\.24 %\)$/,
      ),
      outcome: {
        warning:
          'regression: error rate significantly worse than before the deploy (more than 1.5 × the baseline), though within the threshold',
        verification: { outcome: 'healthy', regressions: ['errors'], baseline: { counts: { requests: 3000, failures: 2, slow: 20 } } },
      },
    });
  });

  it('counts retained rows, not ItemCount-weighted requests: 3 failed rows of 150 is open, though they stand for 30 of 1500', async () => {
    const sampled: TelemetrySample = {
      requests: 1500,
      failures: 30,
      slow: 10,
      p95Ms: 400,
      retained: { requests: 150, failures: 3, slow: 1 },
    };
    const d = await verifying(ctx(observing(), telemetryWorld(sampled).w, at(30)));
    expect(d).toMatchObject({
      kind: 'wait',
      progress: {
        verifyLooks: {
          'tailspin-server': [{ ...look(1, 30, 150, 3, 1), p95Ms: 400, weighted: { requests: 1500, failures: 30, slow: 10 } }],
        },
      },
      outcome: {
        measurements: { requests: 1500, failures: 30, errorRate: 0.02 },
        verification: { outcome: 'continue', evidence: [{ requests: 150, failures: 3, weighted: { requests: 1500, failures: 30 } }] },
      },
    });
  });

  it('keeps the first 3 and the latest samples, numbered, however long the window', async () => {
    const many = Array.from({ length: KEPT_LOOKS }, (_, i) => look(i + 1, 10 * (i + 1), 10 * (i + 1), 0));
    const { w } = telemetryWorld(sample(310, 0));
    const d = await verifying(ctx(observing({ verifyUntil: iso(3000), verifyLooks: { 'tailspin-server': many } }), w, at(310)));
    const kept = d.progress?.verifyLooks?.['tailspin-server'] ?? [];
    expect(kept).toHaveLength(KEPT_LOOKS);
    expect(kept.map((l) => l.sample)).toEqual([1, 2, 3, ...Array.from({ length: KEPT_LOOKS - 3 }, (_, i) => i + 5)]);
    expect(d.outcome?.verification?.samples).toBe(31);
  });
});

describe('verifying: whose fault, and what the window could not tell', () => {
  const failingBefore = { 'tailspin-server': { requests: 1500, failures: 75, slow: 15 } };

  it('a breach the version before the deploy shared is not the release’s fault: kept running, ended unverified', async () => {
    const { w } = telemetryWorld(sample(300, 15, 3));
    const d = await verifying(ctx(observing({ verifyBaseline: failingBefore }), w, at(60)));
    expect(d).toMatchObject({
      kind: 'advance',
      to: 'unverified',
      reason:
        "error rate 5 % (95 % CI 3.1–8.1 %) is above 1 %, but the version before the deploy was failing the same way (baseline 5 %, 95 % CI 4–6.2 %): not the release's fault (after 1 sample); the release keeps running unverified (VERIFY_BASELINE_BREACH=keep)",
      head,
      outcome: { verification: { outcome: 'breach', blame: 'baseline' } },
    });
    expect(d.outcome?.failure).toBeUndefined();
  });

  it('with VERIFY_BASELINE_BREACH=rollback it rolls back anyway, saying so', async () => {
    const { w } = telemetryWorld(sample(300, 15, 3), { baselineBreach: 'rollback' });
    expect(await verifying(ctx(observing({ verifyBaseline: failingBefore }), w, at(60)))).toMatchObject({
      to: 'rolling_back',
      reason: expect.stringMatching(/not the release's fault \(after 1 sample\); rolled back anyway \(VERIFY_BASELINE_BREACH=rollback\)$/),
    });
  });

  it('a breach worse than its failing baseline is the release’s', async () => {
    const { w } = telemetryWorld(sample(300, 60, 3));
    expect(await verifying(ctx(observing({ verifyBaseline: failingBefore }), w, at(60)))).toMatchObject({
      to: 'rolling_back',
      outcome: { verification: { blame: 'release' } },
    });
  });

  it('not one request in the window nor before the deploy: unverified, the alert names the role', async () => {
    const { w } = telemetryWorld(sample(0, 0, 0, null));
    const r = observing({ verifyBaseline: { 'tailspin-server': { requests: 0, failures: 0, slow: 0 } } });
    expect(await verifying(ctx(r, w, at(300)))).toMatchObject({
      to: 'unverified',
      reason:
        'no requests from Application Insights role "tailspin-server" in the window nor before the deploy: tailspin-server is not instrumented, or its role name (AppRoleName) is not "tailspin-server"',
      head,
      outcome: { verification: { outcome: 'inconclusive', reason: 'no-traffic', noTraffic: true, role: 'tailspin-server' } },
    });
  });

  it('thin traffic: the window is extended once, then held unverified (extend-then-hold)', async () => {
    const { w } = telemetryWorld(sample(10, 0));
    const why =
      'inconclusive after 1 sample (10 requests): error rate 0 % (95 % CI 0–27.8 %) cannot yet be told from 1 % (about 339 more good requests would show it healthy); 0 % of requests slower than 2 s (95 % CI 0–27.8 %) cannot yet be told from 5 % (P95 2 s) (about 57 more good requests would show it healthy)';
    expect(await verifying(ctx(observing(), w, at(300)))).toMatchObject({
      kind: 'wait',
      on: 'telemetry',
      for: `telemetry: ${why}; window extended once`,
      deadline: at(600),
      afterSeconds: 30,
      progress: { verifyExtended: true, verifyUntil: iso(600), verifyLooks: { 'tailspin-server': [look(1, 300, 10, 0)] } },
    });
    const extended = observing({ verifyUntil: iso(600), verifyExtended: true, verifyLooks: { 'tailspin-server': [look(1, 300, 10, 0)] } });
    expect(await verifying(ctx(extended, telemetryWorld(sample(20, 0)).w, at(600)))).toMatchObject({
      to: 'unverified',
      reason: expect.stringMatching(/^inconclusive after 2 samples \(20 requests\): .*; held as unverified by policy$/),
      head,
      outcome: { verification: { outcome: 'inconclusive', reason: 'thin-evidence', windowS: 600, extended: true } },
    });
  });

  it('extend-then-pass passes with the verdict as a warning; hold does not extend', async () => {
    const pass = telemetryWorld(sample(20, 0), { inconclusive: 'extend-then-pass' });
    const extended = observing({ verifyUntil: iso(600), verifyExtended: true });
    const d = await verifying(ctx(extended, pass.w, at(600)));
    expect(d).toMatchObject({
      to: 'succeeded',
      reason: expect.stringMatching(/^passed with a warning: inconclusive after 1 sample .*; no breach seen$/),
    });
    expect(d.outcome?.warning).toMatch(/^inconclusive after 1 sample \(20 requests\)/);
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
    expect(await verifying(ctx(observing({ telemetryFailures: 4 }), w, at(300)))).toEqual({
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
  const manifestRelease = (progress: Release['progress'] = {}) =>
    aRelease({
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
        ...progress,
      },
    });
  const byRole = (samples: Record<string, TelemetrySample>) =>
    world({ telemetry: { requests: (q) => okR(samples[q.roleName] ?? sample(0, 0)) }, cluster: { events: () => okR([]) } });

  it('judges each app the manifests pinned on its own numbers: one app’s breach rolls back the release', async () => {
    const w = byRole({ 'tailspin-server': sample(500, 0), 'tailspin-client': sample(150, 9) });
    const d = await verifying({ ...ctx(manifestRelease(), w, at(30)), app: undefined });
    expect(d).toMatchObject({
      to: 'rolling_back',
      reason: 'tailspin-client: error rate 6 % (95 % CI 3.2–11 %) is above 1 %: rolled back after 1 sample',
      outcome: {
        verification: {
          app: 'tailspin-client',
          perApp: { 'tailspin-server': { outcome: 'continue' }, 'tailspin-client': { outcome: 'breach' } },
        },
      },
    });
    expect(d.outcome?.measurements?.perApp).toEqual({
      'tailspin-server': { requests: 500, failures: 0, errorRate: 0, p95Ms: 100, slow: 0 },
      'tailspin-client': { requests: 150, failures: 9, errorRate: 0.06, p95Ms: 100, slow: 0 },
    });
  });

  it('an app that sent nothing at all is named, even beside one that was merely thin', async () => {
    const w = byRole({ 'tailspin-server': sample(10, 0) });
    const r = manifestRelease({ verifyBaseline: { 'tailspin-server': sample(10, 0), 'tailspin-client': sample(0, 0) } });
    expect(await verifying({ ...ctx(r, w, at(300)), app: undefined })).toMatchObject({
      to: 'unverified',
      reason: expect.stringMatching(/^no requests from Application Insights role "tailspin-client" /),
    });
  });

  it('passes when every app is healthy, with every app’s verdict', async () => {
    const w = byRole({ 'tailspin-server': sample(1500, 0), 'tailspin-client': sample(1500, 1) });
    const d = await verifying({ ...ctx(manifestRelease(), w, at(300)), app: undefined });
    expect(d).toMatchObject({
      to: 'succeeded',
      reason: expect.stringMatching(/^tailspin-server: healthy after 1 sample .* · tailspin-client: healthy after 1 sample /),
    });
  });

  it('smoke passes: each app’s baseline for the decision, all apps together (P95 of the worst) for people', async () => {
    const w = world({
      cluster: { smoke: () => okR(smokeOk) },
      telemetry: { requests: (q) => okR(q.roleName === 'tailspin-server' ? sample(400, 2, 3, 250) : sample(100, 1, 0, 90)) },
    });
    const r = manifestRelease({
      smokePassedAt: undefined,
      verifyStartedAt: undefined,
      verifyUntil: undefined,
      appliedAt: iso(-20),
      imageSetAt: iso(-20),
    });
    const d = await verifying({ ...ctx(r, w, at(5)), app: undefined });
    expect(d.progress?.verifyBaseline).toEqual({
      'tailspin-server': { requests: 400, failures: 2, slow: 3 },
      'tailspin-client': { requests: 100, failures: 1, slow: 0 },
    });
    expect(d.outcome?.baseline).toEqual({
      requests: 500,
      failures: 3,
      errorRate: 0.006,
      p95Ms: 250,
      slow: 3,
      from: iso(-320),
      to: iso(-20),
    });
  });

  it('a manifest release that pins no catalog app has nothing to observe: the inconclusive policy decides at the window end', async () => {
    const none = manifestRelease({ manifest: { objects: [], pins: {} } });
    const w = world();
    expect(await verifying({ ...ctx(none, w, at(30)), app: undefined })).toEqual({
      kind: 'wait',
      on: 'telemetry',
      for: `telemetry: observing until ${iso(300)}`,
      deadline: at(300),
      afterSeconds: 270,
    });
    expect(await verifying({ ...ctx(none, w, at(300)), app: undefined })).toMatchObject({
      to: 'unverified',
      reason: 'no app of this release reports telemetry: verified by smoke checks only; held as unverified by policy',
    });
    const pass = world({ settings: { inconclusive: 'extend-then-pass' } });
    expect(await verifying({ ...ctx(none, pass, at(300)), app: undefined })).toMatchObject({
      to: 'succeeded',
      reason: 'passed with a warning: no app of this release reports telemetry: verified by smoke checks only',
      outcome: { warning: 'no app of this release reports telemetry: verified by smoke checks only' },
    });
    expect(w.callsTo('telemetry')).toEqual([]);
  });

  it('asks for the new version only, where the catalog says the telemetry carries it', async () => {
    const { w, queries } = telemetryWorld(sample(150, 0));
    const app = { ...CATALOG.apps[0]!, telemetryVersion: 'tag' as const };
    await verifying({ ...ctx(observing(), w, at(30)), app });
    expect(queries).toEqual([{ roleName: 'tailspin-server', from: at(0), to: at(30), version: 'v1', slowAboveMs: 2000 }]);
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
