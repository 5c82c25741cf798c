/**
 * verifying: smoke checks, then an observation window on Application Insights judged by the
 * sequential test (src/services/verification): a sample every interval, a breach rolls back as soon
 * as the evidence is strong enough, a healthy verdict needs enough evidence too, and what the window
 * cannot tell is inconclusive, never a silent pass. A breach the version before the deploy shared is
 * not the release's fault; an app that sent nothing at all is not instrumented. Telemetry that cannot
 * be queried is its own outcome, never blamed on the app.
 */
import type { SmokeCheckSpec } from '../../ports.js';
import type { SmokeResult } from '../../domain/observations.js';
import type { ReleaseOutcome, TelemetryTrouble, VerifyLook } from '../../domain/release.js';
import { wait, type Decision, type Patch } from '../decision.js';
import {
  allSentences,
  decideApps,
  keepLooks,
  lookOf,
  measurementRecord,
  recordOf,
  regressionWarning,
  sentence,
  thresholdsOf,
  type Verdicts,
} from '../telemetry-verdict.js';
import { addSeconds, finish, toRollback, type StepContext } from './common.js';
import { appsOf, baselineOf, requestsOf } from './telemetry.js';
import { imagesOf, keepTags } from './keep-tags.js';

export { versionOf } from './telemetry.js';

const SMOKE_RETRY_SECONDS = 2;

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
    // The first sample is one interval in: a window of zero length holds no evidence.
    const first = firstSampleAfter(c);
    const until = addSeconds(c.now, d.settings.verifyWindowSeconds);
    return wait('telemetry', `first sample at ${addSeconds(c.now, first).toISOString()}`, until, first, {
      progress: {
        smokePassedAt: c.now.toISOString(),
        verifyStartedAt: c.now.toISOString(),
        verifyUntil: until.toISOString(),
        ...(baseline ? { verifyBaseline: baseline.perApp } : {}),
      },
      outcome: { smoke: results, ...(baseline ? { baseline: baseline.shown } : {}) },
    });
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

const firstSampleAfter = (c: StepContext) => Math.min(c.d.settings.verifyIntervalSeconds, c.d.settings.verifyWindowSeconds);

async function observe(c: StepContext): Promise<Decision> {
  const { r, d } = c;
  const s = d.settings;
  const from = new Date(r.progress.verifyStartedAt ?? r.progress.smokePassedAt ?? c.now.toISOString());
  const until = r.progress.verifyUntil ? new Date(r.progress.verifyUntil) : addSeconds(from, s.verifyWindowSeconds);
  const firstAt = addSeconds(from, firstSampleAfter(c));
  // A tick before the first sample is due (a duplicate message, a forced re-drive) waits for it.
  if (c.now < firstAt) return wait('telemetry', `first sample at ${firstAt.toISOString()}`, until, secondsFrom(c.now, firstAt));
  const apps = appsOf(c);
  const res = await requestsOf(c, apps, from, c.now, true);
  if (!res.ok) return unavailable(c, res.error, from, until);

  const extended = Boolean(r.progress.verifyExtended);
  const windowS = (until.getTime() - from.getTime()) / 1000;
  const atS = (c.now.getTime() - from.getTime()) / 1000;
  const looks: Record<string, VerifyLook[]> = {};
  for (const x of res.value) {
    const before = r.progress.verifyLooks?.[x.app] ?? [];
    looks[x.app] = keepLooks([...before, lookOf(x.sample, (before.at(-1)?.sample ?? 0) + 1, atS)]);
  }
  const v = decideApps(
    apps.map((a) => ({ app: a.name, role: a.telemetryRole, looks: looks[a.name] ?? [], baseline: r.progress.verifyBaseline?.[a.name] })),
    { windowS, extended },
    s.verification,
  );
  if (!v) return nothingToObserve(c, until);
  const at = c.now.toISOString();
  const patch: Patch = {
    progress: { verifyLooks: looks },
    outcome: {
      measurements: measurementRecord(res.value, v.worst.app, { at, from: from.toISOString(), thresholds: thresholdsOf(s.verification) }),
      verification: recordOf(v, { at, from: from.toISOString(), windowS, extended }),
    },
  };
  switch (v.worst.decision.outcome) {
    case 'continue':
      return wait(
        'telemetry',
        `observing until ${until.toISOString()} (${plural(v.worst.decision.samples, 'sample')} so far)`,
        until,
        Math.min(s.verifyIntervalSeconds, secondsFrom(c.now, until)),
        patch,
      );
    case 'breach':
      return breach(c, v, patch);
    case 'healthy': {
      const warning = regressionWarning(v, s.verification);
      return succeeded(c, allSentences(v), withOutcome(patch, warning ? { warning } : {}));
    }
    case 'inconclusive':
      return inconclusive(c, v, patch);
  }
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
const secondsFrom = (now: Date, later: Date) => Math.max(1, Math.ceil((later.getTime() - now.getTime()) / 1000));
const withOutcome = (p: Patch, extra: ReleaseOutcome): Patch => ({ ...p, outcome: { ...p.outcome, ...extra } });

/** The release is verified: it becomes last-good, and its digests get the verified tags (never holding the end). */
async function succeeded(c: StepContext, reason: string, patch: Patch): Promise<Decision> {
  const kept = await keepTags(c, 'verified', imagesOf(c));
  return finish(c, 'succeeded', reason, { verified: verifiedOf(c) }, Object.keys(kept).length ? withOutcome(patch, kept) : patch);
}

function verifiedOf(c: StepContext) {
  const { r } = c;
  return r.image
    ? { releaseId: r.id, target: r.image.digest, image: r.image }
    : { releaseId: r.id, target: r.manifestCommit ?? r.id, ...(r.manifestCommit ? { manifestCommit: r.manifestCommit } : {}) };
}

/**
 * A breach rolls back, with the verdict as the reason. When the version before the deploy was
 * failing the same way, rolling back would not help: by default the release keeps running, ends
 * unverified and the alert says whose fault it is not.
 */
async function breach(c: StepContext, v: Verdicts, patch: Patch): Promise<Decision> {
  const why = sentence(v);
  if (v.worst.decision.blame === 'baseline') {
    if (c.d.settings.baselineBreach === 'keep')
      return finish(c, 'unverified', `${why}; the release keeps running unverified (VERIFY_BASELINE_BREACH=keep)`, {}, patch);
    const reason = `${why}; rolled back anyway (VERIFY_BASELINE_BREACH=rollback)`;
    return toRollback(c, reason, { measurements: patch.outcome?.measurements }, patch.outcome);
  }
  return toRollback(c, why, { measurements: patch.outcome?.measurements }, patch.outcome);
}

/**
 * What the window could not tell. Not one request from the app, before or after the deploy, is not
 * thin traffic: the app is not instrumented or its role name is wrong, and waiting longer will not
 * change that. Anything else gets the configured policy: extend once, then pass with a warning or hold.
 */
async function inconclusive(c: StepContext, v: Verdicts, patch: Patch): Promise<Decision> {
  const { r, d } = c;
  const s = d.settings;
  if (v.worst.decision.reason === 'no-traffic') {
    const role = v.worst.role;
    return finish(
      c,
      'unverified',
      `no requests from Application Insights role "${role}" in the window nor before the deploy: ${v.worst.app} is not instrumented, or its role name (AppRoleName) is not "${role}"`,
      {},
      patch,
    );
  }
  const why = sentence(v);
  if (s.inconclusive !== 'hold' && !r.progress.verifyExtended) {
    const extendedUntil = addSeconds(c.now, s.verifyWindowSeconds);
    return wait('telemetry', `${why}; window extended once`, extendedUntil, s.verifyIntervalSeconds, {
      progress: { ...patch.progress, verifyExtended: true, verifyUntil: extendedUntil.toISOString() },
      outcome: patch.outcome,
    });
  }
  if (s.inconclusive === 'extend-then-pass')
    return succeeded(c, `passed with a warning: ${why}; no breach seen`, withOutcome(patch, { warning: why }));
  return finish(c, 'unverified', `${why}; held as unverified by policy`, {}, patch);
}

/** A release whose apps report no telemetry at all (none is in the catalog): smoke checks are all there is. */
async function nothingToObserve(c: StepContext, until: Date): Promise<Decision> {
  if (c.now < until) return wait('telemetry', `observing until ${until.toISOString()}`, until, secondsFrom(c.now, until));
  const why = 'no app of this release reports telemetry: verified by smoke checks only';
  if (c.d.settings.inconclusive === 'extend-then-pass') return succeeded(c, `passed with a warning: ${why}`, { outcome: { warning: why } });
  return finish(c, 'unverified', `${why}; held as unverified by policy`, {});
}

/** The telemetry backend could not be queried: retry until the window ends, then the configured policy. */
async function unavailable(c: StepContext, e: { kind: string; message: string }, from: Date, until: Date): Promise<Decision> {
  const { r, d } = c;
  const trouble: TelemetryTrouble = {
    at: c.now.toISOString(),
    from: from.toISOString(),
    error: `${e.kind}: ${e.message}`,
    failures: (r.progress.telemetryFailures ?? 0) + 1,
  };
  if (d.settings.telemetryUnavailable === 'rollback')
    return toRollback(c, `telemetry unavailable (${e.message}); policy rolls back`, { telemetry: trouble });
  if (c.now >= until) {
    return finish(
      c,
      'unverified',
      `telemetry unavailable for the whole window (${e.message}); the release keeps running unverified`,
      {},
      { outcome: { telemetry: trouble } },
    );
  }
  return wait('telemetry', `unavailable (${e.kind}), retrying`, until, d.settings.verifyIntervalSeconds, {
    progress: { telemetryFailures: trouble.failures },
    outcome: { telemetry: trouble },
  });
}
