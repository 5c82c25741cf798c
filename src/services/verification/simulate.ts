/**
 * Monte Carlo over the production decision: random traffic sampled at the pipeline's cadence and
 * judged by decideVerification, look after look, exactly as the pipeline calls it. Pure and
 * seeded: the same arguments give the same figures (verify-plan, the bench and property tests).
 */
import { decideVerification, type Look } from './decide.js';
import { createRng, poisson, type Rng } from './random.js';
import type { Metric, VerificationSettings } from './settings.js';
import { slowFraction, type TrafficModel } from './traffic.js';

export interface SamplingPlan {
  /** Observation window in seconds (VERIFY_WINDOW_SECONDS). */
  windowS: number;
  /** Seconds between samples (VERIFY_INTERVAL_SECONDS); the last sample is at the window's end. */
  intervalS: number;
}

export type RunOutcome = 'breach' | 'healthy' | 'inconclusive';

export interface RunResult {
  outcome: RunOutcome;
  /** Seconds after the window's start of the sample that decided. */
  atS: number;
  samples: number;
  metrics: Metric[];
  /** What one extension of the window (the inconclusive policy) made of an inconclusive run. */
  extended?: { outcome: RunOutcome; atS: number };
}

/** Sample times: every interval, and the window's end. */
export function sampleTimes(plan: SamplingPlan, fromS = 0): number[] {
  const times: number[] = [];
  for (let t = fromS + plan.intervalS; t < fromS + plan.windowS; t += plan.intervalS) times.push(t);
  times.push(fromS + plan.windowS);
  return times;
}

/**
 * One interval's traffic, by Poisson thinning: the four kinds of request (failed or not, slow or
 * not) arrive as independent Poisson streams, which is the same as Poisson arrivals each failing
 * and being slow independently.
 */
function interval(rng: Rng, rate: number, dtS: number, p: number, q: number) {
  const mean = rate * dtS;
  const failedSlow = poisson(rng, mean * p * q);
  const failedFast = poisson(rng, mean * p * (1 - q));
  const okSlow = poisson(rng, mean * (1 - p) * q);
  const okFast = poisson(rng, mean * (1 - p) * (1 - q));
  return { requests: failedSlow + failedFast + okSlow + okFast, failures: failedSlow + failedFast, slow: failedSlow + okSlow };
}

export function simulateRun(traffic: TrafficModel, plan: SamplingPlan, s: VerificationSettings, rng: Rng): RunResult {
  const q = slowFraction(traffic.p95Ms, s.p95MsMax, traffic.latencySigma);
  const looks: Look[] = [];
  const total = { requests: 0, failures: 0, slow: 0 };
  let prev = 0;
  const observe = (times: number[], windowS: number, extended: boolean) => {
    for (const t of times) {
      const d = interval(rng, traffic.rps, t - prev, traffic.errorRate, q);
      prev = t;
      total.requests += d.requests;
      total.failures += d.failures;
      total.slow += d.slow;
      looks.push({ atS: t, ...total });
      const decision = decideVerification({ looks, windowS, extended }, s);
      if (decision.outcome !== 'continue')
        return { outcome: decision.outcome, atS: t, samples: decision.samples, metrics: decision.metrics };
    }
    throw new Error('unreachable: the last sample is at the window end');
  };
  const first = observe(sampleTimes(plan), plan.windowS, false);
  if (first.outcome !== 'inconclusive') return first;
  const again = observe(sampleTimes(plan, plan.windowS), 2 * plan.windowS, true);
  return { ...first, extended: { outcome: again.outcome, atS: again.atS } };
}

export interface PlanSummary {
  runs: number;
  /** Fractions of runs ending so at the window's end. */
  breach: number;
  healthy: number;
  inconclusive: number;
  /** After one extension of inconclusive runs (the inconclusive policy), breach and still inconclusive. */
  extended: { breach: number; inconclusive: number };
  /** Seconds until half / 90 % of all runs were rolled back; null when fewer were, within the window. */
  detection: { medianS: number | null; p90S: number | null };
  /** The traffic's true fraction of requests slower than the P95 threshold. */
  slowFraction: number;
}

/** Nearest-rank quantile of all runs' rollback times, runs not rolled back counting as never. */
function quantile(times: number[], runs: number, p: number): number | null {
  const rank = Math.max(1, Math.ceil(p * runs));
  if (times.length < rank) return null;
  return [...times].sort((a, b) => a - b)[rank - 1] ?? null;
}

export function monteCarlo(
  traffic: TrafficModel,
  plan: SamplingPlan,
  s: VerificationSettings,
  opts: { runs: number; seed: number | string },
): PlanSummary {
  const rng = createRng(opts.seed);
  const count = { breach: 0, healthy: 0, inconclusive: 0, extBreach: 0, extInconclusive: 0 };
  const times: number[] = [];
  for (let i = 0; i < opts.runs; i++) {
    const r = simulateRun(traffic, plan, s, rng);
    count[r.outcome]++;
    if (r.outcome === 'breach') times.push(r.atS);
    if (r.extended?.outcome === 'breach') count.extBreach++;
    if (r.extended?.outcome === 'inconclusive') count.extInconclusive++;
  }
  const f = (n: number) => n / opts.runs;
  return {
    runs: opts.runs,
    breach: f(count.breach),
    healthy: f(count.healthy),
    inconclusive: f(count.inconclusive),
    extended: { breach: f(count.breach + count.extBreach), inconclusive: f(count.extInconclusive) },
    detection: { medianS: quantile(times, opts.runs, 0.5), p90S: quantile(times, opts.runs, 0.9) },
    slowFraction: slowFraction(traffic.p95Ms, s.p95MsMax, traffic.latencySigma),
  };
}
