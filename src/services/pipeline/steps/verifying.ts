/**
 * verifying: smoke checks, then an observation window on Application Insights. A breach rolls
 * back at the next sample; too little traffic is inconclusive, never a silent pass; telemetry
 * that cannot be queried is its own outcome, never blamed on the app.
 */
import type { SmokeCheckSpec, TelemetrySample } from '../../ports.js';
import type { AppSpec } from '../../domain/catalog.js';
import type { Result } from '../../domain/result.js';
import type { Measurements, SmokeResult } from '../../domain/observations.js';
import type { MeasurementRecord, TelemetryTrouble } from '../../domain/release.js';
import { assessTelemetry, measurements } from '../assess.js';
import { wait, type Decision } from '../decision.js';
import { addSeconds, finish, toRollback, type StepContext } from './common.js';

const SMOKE_RETRY_SECONDS = 2;

/** The apps a release verifies: its own, or every app whose Deployment a manifest release applied. */
function appsOf(c: StepContext): AppSpec[] {
  if (c.app) return [c.app];
  const pins = c.r.progress.manifest?.pins ?? {};
  return c.d.catalog.apps.filter((a) => a.name in pins);
}

export async function verifying(c: StepContext): Promise<Decision> {
  const { r } = c;
  if (!r.progress.smokePassedAt) return smoke(c);
  return observe(c);
}

async function smoke(c: StepContext): Promise<Decision> {
  const { r, d } = c;
  const attempt = (r.progress.smokeAttempt ?? 0) + 1;
  const results: SmokeResult[] = [];
  for (const app of appsOf(c)) {
    for (const check of app.smoke) {
      const res = await d.cluster.smoke(app.namespace, check);
      results.push(res.ok ? res.value : { check: describe(check), ok: false, durationMs: 0, detail: res.error.message });
    }
  }
  const failed = results.filter((x) => !x.ok);
  if (failed.length === 0) {
    const baseline = await baselineOf(c);
    return {
      kind: 'continue',
      progress: {
        smokePassedAt: c.now.toISOString(),
        verifyStartedAt: c.now.toISOString(),
        verifyUntil: addSeconds(c.now, d.settings.verifyWindowSeconds).toISOString(),
      },
      outcome: { smoke: results, ...(baseline ? { baseline } : {}) },
    };
  }
  if (attempt <= d.settings.smokeRetries) {
    return wait(
      'smoke',
      `${failed.map((f) => f.check).join(', ')} (attempt ${attempt})`,
      addSeconds(c.now, SMOKE_RETRY_SECONDS * 2),
      SMOKE_RETRY_SECONDS,
      { progress: { smokeAttempt: attempt }, outcome: { smoke: results } },
    );
  }
  const why = failed.map((f) => `${f.check} → ${f.status ?? 'no answer'}${f.detail ? ` (${f.detail})` : ''}`).join('; ');
  return toRollback(c, `smoke check failed after ${attempt} attempts: ${why}`, { smoke: results });
}

const describe = (check: SmokeCheckSpec) => (check.kind === 'url' ? `GET ${check.url}` : `GET ${check.service}:${check.port}${check.path}`);

/** The same-length window before the deploy, reported beside the figures (not used to decide). */
async function baselineOf(c: StepContext): Promise<(Measurements & { from: string; to: string }) | undefined> {
  const { r, d } = c;
  const to = new Date(r.progress.imageSetAt ?? c.now.toISOString());
  const from = addSeconds(to, -d.settings.verifyWindowSeconds);
  const res = await requestsOf(c, appsOf(c), from, to, false);
  return res.ok ? { ...measurements(combine(res.value.map((x) => x.sample))), from: from.toISOString(), to: to.toISOString() } : undefined;
}

/** The AppVersion the new release reports, when the catalog says its telemetry carries one. */
export function versionOf(app: AppSpec, r: StepContext['r']): string | undefined {
  if (!r.image || app.name !== r.app) return undefined;
  if (app.telemetryVersion === 'tag') return r.image.tag;
  if (app.telemetryVersion === 'digest') return r.image.digest;
  return undefined;
}

/**
 * Telemetry for each app; one failing query makes the whole answer unavailable (never partial data as
 * a pass). During verification only the new version's requests count, where the telemetry says which.
 */
async function requestsOf(
  c: StepContext,
  apps: AppSpec[],
  from: Date,
  to: Date,
  newVersionOnly: boolean,
): Promise<Result<{ app: string; sample: TelemetrySample }[]>> {
  const out: { app: string; sample: TelemetrySample }[] = [];
  for (const app of apps) {
    const version = newVersionOnly ? versionOf(app, c.r) : undefined;
    const res = await c.d.telemetry.requests({ roleName: app.telemetryRole, from, to, ...(version ? { version } : {}) });
    if (!res.ok) return res;
    out.push({ app: app.name, sample: res.value });
  }
  return { ok: true, value: out };
}

/** For the baseline only: the apps' traffic together (P95 of the worst). */
function combine(samples: TelemetrySample[]): TelemetrySample {
  const p95s = samples.map((s) => s.p95Ms).filter((x): x is number => x !== null);
  return {
    requests: samples.reduce((a, s) => a + s.requests, 0),
    failures: samples.reduce((a, s) => a + s.failures, 0),
    p95Ms: p95s.length ? Math.max(...p95s) : null,
  };
}

async function observe(c: StepContext): Promise<Decision> {
  const { r, d } = c;
  const s = d.settings;
  const from = new Date(r.progress.verifyStartedAt ?? r.progress.smokePassedAt ?? c.now.toISOString());
  const until = r.progress.verifyUntil ? new Date(r.progress.verifyUntil) : addSeconds(from, s.verifyWindowSeconds);
  const windowDone = c.now >= until;
  const res = await requestsOf(c, appsOf(c), from, c.now, true);
  const sampled = { at: c.now.toISOString(), from: from.toISOString() };

  if (!res.ok) {
    const unavailable: TelemetryTrouble = {
      ...sampled,
      error: `${res.error.kind}: ${res.error.message}`,
      failures: (r.progress.telemetryFailures ?? 0) + 1,
    };
    if (s.telemetryUnavailable === 'rollback')
      return toRollback(c, `telemetry unavailable (${res.error.message}); policy rolls back`, { telemetry: unavailable });
    if (windowDone) {
      return finish(
        c,
        'unverified',
        `telemetry unavailable for the whole window (${res.error.message}); the release keeps running unverified`,
        {},
        { outcome: { telemetry: unavailable } },
      );
    }
    return wait('telemetry', `unavailable (${res.error.kind}), retrying`, until, s.verifyIntervalSeconds, {
      progress: { telemetryFailures: unavailable.failures },
      outcome: { telemetry: unavailable },
    });
  }

  // Each app is judged on its own numbers: one app's errors must not be diluted by another's traffic.
  const verdicts = res.value.map((x) => ({ app: x.app, v: assessTelemetry(x.sample, s.thresholds) }));
  const breach = verdicts.find((x) => x.v.kind === 'breach');
  const pending = verdicts.find((x) => x.v.kind === 'inconclusive');
  const verdict = (breach ?? pending ?? verdicts[0])?.v ?? assessTelemetry({ requests: 0, failures: 0, p95Ms: null }, s.thresholds);
  const measured: MeasurementRecord = {
    ...verdict.m,
    ...sampled,
    thresholds: s.thresholds,
    ...(verdicts.length > 1 ? { perApp: Object.fromEntries(verdicts.map((x) => [x.app, x.v.m])) } : {}),
  };
  // The breaching sample is the measurement the issue shows, even when it was the very first one.
  if (verdict.kind === 'breach')
    return toRollback(c, `telemetry breach: ${verdict.reasons.join('; ')}`, { measurements: measured }, { measurements: measured });
  if (!windowDone) {
    const left = Math.max(1, Math.ceil((until.getTime() - c.now.getTime()) / 1000));
    return wait('telemetry', `observing until ${until.toISOString()}`, until, Math.min(s.verifyIntervalSeconds, left), {
      outcome: { measurements: measured },
    });
  }
  const verified = r.image
    ? { releaseId: r.id, target: r.image.digest, image: r.image }
    : { releaseId: r.id, target: r.manifestCommit ?? r.id, ...(r.manifestCommit ? { manifestCommit: r.manifestCommit } : {}) };
  if (verdict.kind === 'healthy') {
    return finish(
      c,
      'succeeded',
      `verified: ${summary(verdict.m)} over ${s.verifyWindowSeconds} s`,
      { verified },
      { outcome: { measurements: measured } },
    );
  }
  // Inconclusive: too little traffic to tell.
  if (s.inconclusive !== 'hold' && !r.progress.verifyExtended) {
    const extendedUntil = addSeconds(c.now, s.verifyWindowSeconds);
    return wait('telemetry', `${verdict.reason}; window extended once`, extendedUntil, s.verifyIntervalSeconds, {
      progress: { verifyExtended: true, verifyUntil: extendedUntil.toISOString() },
      outcome: { measurements: measured },
    });
  }
  if (s.inconclusive === 'extend-then-pass') {
    return finish(
      c,
      'succeeded',
      `passed with a warning: inconclusive telemetry (${verdict.reason}), no breach seen`,
      { verified },
      { outcome: { measurements: measured, warning: verdict.reason } },
    );
  }
  return finish(
    c,
    'unverified',
    `inconclusive telemetry (${verdict.reason}); held as unverified by policy`,
    {},
    { outcome: { measurements: measured } },
  );
}

const summary = (m: Measurements) =>
  `${m.requests} requests, error rate ${m.errorRate === null ? 'n/a' : `${(m.errorRate * 100).toFixed(2)}%`}, P95 ${m.p95Ms === null ? 'n/a' : `${Math.round(m.p95Ms)} ms`}`;
