/**
 * From telemetry samples to the verification decision (src/services/verification) and back to what
 * people are shown. Samples become looks — retained rows are what the test counts, ItemCount-weighted
 * sums what people read —, looks are kept bounded, each app is decided on its own numbers (one app's
 * errors must not be diluted by another's traffic), and the most urgent decision ends the release.
 * Pure: no I/O, no clock.
 */
import type { TelemetrySample } from '../ports.js';
import type { Measurements, Thresholds } from '../domain/observations.js';
import type { MeasurementRecord, VerificationRecord, VerifyLook } from '../domain/release.js';
import {
  combineDecisions,
  decideVerification,
  type Counts,
  type Metric,
  type VerificationDecision,
  type VerificationSettings,
} from '../verification/index.js';

/** Samples kept per app: the first few (how the window started) and the latest ones (where it is now). */
export const KEPT_LOOKS = 30;
const KEPT_FIRST = 3;

/** What the test counts: retained rows when the telemetry says what sampling kept, else the counts as given. */
export function testCounts(s: TelemetrySample): Counts {
  const r = s.retained ?? s;
  return { requests: r.requests, failures: r.failures, ...(r.slow !== undefined ? { slow: r.slow } : {}) };
}

export function lookOf(s: TelemetrySample, sample: number, atS: number): VerifyLook {
  const counts = testCounts(s);
  const sampled = counts.requests !== s.requests || counts.failures !== s.failures || counts.slow !== s.slow;
  const weighted = { requests: s.requests, failures: s.failures, ...(s.slow !== undefined ? { slow: s.slow } : {}) };
  return { sample, atS, ...counts, p95Ms: s.p95Ms, ...(sampled ? { weighted } : {}) };
}

/** The looks a release keeps: all up to KEPT_LOOKS, then the first few and the latest (numbered, so gaps show). */
export function keepLooks(looks: VerifyLook[]): VerifyLook[] {
  return looks.length <= KEPT_LOOKS ? looks : [...looks.slice(0, KEPT_FIRST), ...looks.slice(looks.length - (KEPT_LOOKS - KEPT_FIRST))];
}

export interface AppUnderTest {
  app: string;
  role: string;
  looks: VerifyLook[];
  baseline?: Counts | undefined;
}

export interface AppVerdict {
  app: string;
  role: string;
  decision: VerificationDecision;
}

export interface Verdicts {
  /** The decision that ends (or continues) the release: any breach, else observing, else inconclusive, else healthy. */
  worst: AppVerdict;
  all: AppVerdict[];
}

export function decideApps(
  apps: AppUnderTest[],
  window: { windowS: number; extended: boolean },
  s: VerificationSettings,
): Verdicts | undefined {
  const all = apps.map((a) => ({
    app: a.app,
    role: a.role,
    decision: decideVerification({ looks: a.looks, windowS: window.windowS, extended: window.extended, baseline: a.baseline }, s),
  }));
  const worst = combineDecisions(Object.fromEntries(all.map((a) => [a.app, a.decision])));
  const chosen = worst && all.find((a) => a.app === worst.app);
  if (!chosen) return undefined;
  // Among inconclusive apps, one that sent nothing at all says the most: it is not instrumented.
  const silent = chosen.decision.outcome === 'inconclusive' ? all.find((a) => a.decision.reason === 'no-traffic') : undefined;
  return { worst: silent ?? chosen, all };
}

/** The record people are shown: the deciding app's whole decision, and every app's outcome when there are several. */
export function recordOf(v: Verdicts, meta: { at: string; from: string; windowS: number; extended: boolean }): VerificationRecord {
  const d = v.worst.decision;
  return {
    app: v.worst.app,
    role: v.worst.role,
    ...meta,
    outcome: d.outcome,
    reason: d.reason,
    metrics: d.metrics,
    ...(d.decidedBy ? { decidedBy: d.decidedBy } : {}),
    samples: d.samples,
    atS: d.atS,
    noTraffic: d.noTraffic,
    ...(d.blame ? { blame: d.blame } : {}),
    regressions: d.regressions,
    ...(d.windowEnd ? { windowEnd: d.windowEnd } : {}),
    ...(d.baseline ? { baseline: d.baseline } : {}),
    rule: d.rule,
    evidence: d.evidence,
    verdict: d.verdict,
    ...(v.all.length > 1
      ? { perApp: Object.fromEntries(v.all.map((a) => [a.app, { outcome: a.decision.outcome, verdict: a.decision.verdict }])) }
      : {}),
  };
}

/** "verdict" for one app, "app: verdict" when a release verifies several. */
export function sentence(v: Verdicts, a: AppVerdict = v.worst): string {
  return v.all.length > 1 ? `${a.app}: ${a.decision.verdict}` : a.decision.verdict;
}

/** Every app's verdict, for a release that passed. */
export const allSentences = (v: Verdicts): string => v.all.map((a) => sentence(v, a)).join(' · ');

const METRIC_NAME: Record<Metric, string> = { errors: 'error rate', latency: 'share of slow requests' };

/** The regression warning of a healthy release, or undefined. */
export function regressionWarning(v: Verdicts, s: VerificationSettings): string | undefined {
  const worse = v.all.flatMap((a) => a.decision.regressions.map((m) => `${v.all.length > 1 ? `${a.app} ` : ''}${METRIC_NAME[m]}`));
  if (worse.length === 0) return undefined;
  return `regression: ${worse.join(' and ')} significantly worse than before the deploy (more than ${s.regressionRatio} × the baseline), though within the threshold`;
}

export const thresholdsOf = (s: VerificationSettings): Thresholds => ({
  errorRateMax: s.errorRateMax,
  p95MsMax: s.p95MsMax,
  minRequests: s.minRequests,
});

/** What people read beside the verdict: ItemCount-weighted figures (requests served). */
export function shown(s: TelemetrySample): Measurements & { slow?: number } {
  return {
    requests: s.requests,
    failures: s.failures,
    errorRate: s.requests > 0 ? s.failures / s.requests : null,
    p95Ms: s.p95Ms,
    ...(s.slow !== undefined ? { slow: s.slow } : {}),
  };
}

export function measurementRecord(
  samples: { app: string; sample: TelemetrySample }[],
  decidingApp: string,
  meta: { at: string; from: string; thresholds: Thresholds },
): MeasurementRecord {
  const deciding = samples.find((x) => x.app === decidingApp) ?? samples[0];
  return {
    ...(deciding ? shown(deciding.sample) : { requests: 0, failures: 0, errorRate: null, p95Ms: null }),
    ...meta,
    ...(samples.length > 1 ? { perApp: Object.fromEntries(samples.map((x) => [x.app, shown(x.sample)])) } : {}),
  };
}
