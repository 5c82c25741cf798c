/**
 * What verify-plan and the bench ask of the simulation: a grid of healthy and failing releases at
 * one traffic level, and the shortest window that catches a failing release as often as the rule
 * promises. Pure and seeded, like simulate.ts.
 */
import type { VerificationSettings } from './settings.js';
import { monteCarlo, type PlanSummary, type SamplingPlan } from './simulate.js';
import type { TrafficModel } from './traffic.js';

export interface PlanRow {
  /** What the release is, e.g. { errorRate: 0.02, p95Ms: 500 }. */
  traffic: TrafficModel;
  /** Which metric the row varies. */
  varies: 'errors' | 'latency' | 'both';
  summary: PlanSummary;
}

/** Error rates as multiples of the threshold: healthy, borderline and failing. */
export const ERROR_MULTIPLES = [0.2, 0.5, 0.8, 1, 2, 5] as const;
/** True P95 as multiples of the P95 threshold. */
export const LATENCY_MULTIPLES = [0.5, 0.75, 1, 1.5, 2] as const;
/** Latency of the error rows (and error rate of the latency rows): clearly healthy, so each row tests one metric. */
export const QUIET_P95_MULTIPLE = 0.25;

export interface GridOptions {
  rps: number;
  runs: number;
  seed: number | string;
  latencySigma?: number | undefined;
  /** Only this error rate (one row, or one cell with p95Ms). */
  errorRate?: number | undefined;
  /** Only this P95 (one row, or one cell with errorRate). */
  p95Ms?: number | undefined;
}

/** The releases a grid simulates, before running them. */
export function gridReleases(s: VerificationSettings, o: GridOptions): { traffic: TrafficModel; varies: PlanRow['varies'] }[] {
  const quietP95 = s.p95MsMax * QUIET_P95_MULTIPLE;
  const base = { rps: o.rps, latencySigma: o.latencySigma };
  if (o.errorRate !== undefined && o.p95Ms !== undefined)
    return [{ traffic: { ...base, errorRate: o.errorRate, p95Ms: o.p95Ms }, varies: 'both' }];
  if (o.errorRate !== undefined) return [{ traffic: { ...base, errorRate: o.errorRate, p95Ms: quietP95 }, varies: 'errors' }];
  if (o.p95Ms !== undefined) return [{ traffic: { ...base, errorRate: 0, p95Ms: o.p95Ms }, varies: 'latency' }];
  return [
    ...ERROR_MULTIPLES.map((m) => ({ traffic: { ...base, errorRate: m * s.errorRateMax, p95Ms: quietP95 }, varies: 'errors' as const })),
    ...LATENCY_MULTIPLES.map((m) => ({ traffic: { ...base, errorRate: 0, p95Ms: m * s.p95MsMax }, varies: 'latency' as const })),
  ];
}

export function planGrid(s: VerificationSettings, plan: SamplingPlan, o: GridOptions): PlanRow[] {
  return gridReleases(s, o).map((r) => ({ ...r, summary: monteCarlo(r.traffic, plan, s, { runs: o.runs, seed: o.seed }) }));
}

export interface WindowSuggestion {
  /** Shortest window (a whole number of intervals) that catches failingRatio × the threshold in ≥ 1 − β of runs; null beyond the cap. */
  windowS: number | null;
  /** At that window: the catch rate at the failing rate, and how often a healthy release (healthyRatio × threshold) is inconclusive. */
  caught: number;
  healthyInconclusive: number;
}

/** Longest window considered: a day. */
const MAX_WINDOW_S = 86_400;

/**
 * Doubling then bisection over whole intervals. Monte Carlo noise can make the curve jitter by a
 * sample near the answer; the result is the first window found that meets the target.
 */
export function suggestWindow(
  s: VerificationSettings,
  intervalS: number,
  o: { rps: number; runs: number; seed: number | string; latencySigma?: number | undefined },
): WindowSuggestion {
  const quietP95 = s.p95MsMax * QUIET_P95_MULTIPLE;
  const failing: TrafficModel = { rps: o.rps, errorRate: s.failingRatio * s.errorRateMax, p95Ms: quietP95, latencySigma: o.latencySigma };
  const healthy: TrafficModel = { ...failing, errorRate: s.healthyRatio * s.errorRateMax };
  const caughtAt = (k: number) => monteCarlo(failing, { windowS: k * intervalS, intervalS }, s, { runs: o.runs, seed: o.seed }).breach;
  const target = 1 - s.missedBreachMax;
  const maxK = Math.max(1, Math.floor(MAX_WINDOW_S / intervalS));
  let hi = 1;
  while (caughtAt(hi) < target) {
    if (hi >= maxK) return { windowS: null, caught: caughtAt(maxK), healthyInconclusive: 1 };
    hi = Math.min(maxK, hi * 2);
  }
  let lo = Math.floor(hi / 2);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (caughtAt(mid) >= target) hi = mid;
    else lo = mid;
  }
  const plan = { windowS: hi * intervalS, intervalS };
  return {
    windowS: plan.windowS,
    caught: caughtAt(hi),
    healthyInconclusive: monteCarlo(healthy, plan, s, { runs: o.runs, seed: o.seed }).inconclusive,
  };
}
