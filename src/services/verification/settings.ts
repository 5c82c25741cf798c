/**
 * What the verification rule is tuned by, with defaults, and the two hypotheses each metric is
 * tested between. The thresholds are the existing ones (VERIFY_ERROR_RATE_MAX, VERIFY_P95_MS_MAX);
 * the rest says how sure the rule must be before it acts.
 */
import { z } from 'zod';

/** "P95 > 2 s" ⇔ "more than 5 % of requests are slower than 2 s". */
export const LATENCY_QUANTILE = 0.95;

export const VerificationSettings = z.object({
  /** Error-rate threshold (fraction). VERIFY_ERROR_RATE_MAX. */
  errorRateMax: z.number().gt(0).lt(1).default(0.01),
  /** P95 latency threshold in ms: requests slower than this are "slow". VERIFY_P95_MS_MAX. */
  p95MsMax: z.number().positive().max(3_600_000).default(2000),
  /** A release whose rate is at most this fraction of the threshold is "healthy". */
  healthyRatio: z.number().gt(0).lt(1).default(0.5),
  /** A release whose rate is at least this multiple of the threshold is "failing". */
  failingRatio: z.number().gt(1).max(100).default(2),
  /** Largest probability of rolling back a healthy release, per metric (α). */
  falseRollbackMax: z.number().gt(0).max(0.2).default(0.01),
  /** Largest probability of passing a failing release as healthy, per metric (β). */
  missedBreachMax: z.number().gt(0).max(0.2).default(0.01),
  /** A healthy verdict also needs at least this many requests (VERIFY_MIN_REQUESTS). */
  minRequests: z.number().int().nonnegative().default(50),
  /** Regression warning when the new version is, with confidence 1 − α, worse than this multiple of its baseline. */
  regressionRatio: z.number().min(1).max(100).default(1.5),
  /** Pass as soon as both metrics are proven healthy, instead of watching the whole window for a breach. */
  earlyPass: z.boolean().default(false),
});
export type VerificationSettings = z.infer<typeof VerificationSettings>;
export type VerificationSettingsInput = z.input<typeof VerificationSettings>;

export const DEFAULT_VERIFICATION_SETTINGS: VerificationSettings = Object.freeze(VerificationSettings.parse({}));

/** Cross-field checks: the failing rate must be a rate (below 1) for both metrics. */
export function verificationSettingsProblem(s: VerificationSettings): string | undefined {
  if (s.failingRatio * s.errorRateMax >= 1)
    return `failing rate ${s.failingRatio} × error-rate threshold ${s.errorRateMax} must stay below 1 (lower VERIFY_FAILING_RATIO or VERIFY_ERROR_RATE_MAX)`;
  if (s.failingRatio * (1 - LATENCY_QUANTILE) >= 1)
    return `failing rate ${s.failingRatio} × 5 % slow must stay below 1 (lower VERIFY_FAILING_RATIO)`;
  return undefined;
}

/** Settings from partial input, validated; throws RangeError naming the problem (CLI and tests). */
export function verificationSettings(input: VerificationSettingsInput = {}): VerificationSettings {
  const parsed = VerificationSettings.safeParse(input);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new RangeError(`${i?.path.join('.') ?? 'settings'}: ${i?.message ?? 'invalid'}`);
  }
  const problem = verificationSettingsProblem(parsed.data);
  if (problem) throw new RangeError(problem);
  return parsed.data;
}

export type Metric = 'errors' | 'latency';

/**
 * One metric's test: the event rate is healthy (p0) or failing (p1), in log-likelihood units. Each
 * error budget is split in half: α/2 for the sequential boundary (valid at every look, by Ville's
 * inequality), α/2 for one exact test at the end of the first window; β the same way.
 */
export interface Hypothesis {
  metric: Metric;
  /** The threshold as a fraction of requests (error rate, or the fraction slower than p95MsMax). */
  threshold: number;
  healthy: number;
  failing: number;
  /** ln(p1/p0): what one event (a failure, a slow request) adds. */
  perEvent: number;
  /** ln((1−p1)/(1−p0)) < 0: what one good request adds. */
  perNonEvent: number;
  /** Breach once the log-likelihood ratio reaches ln(2/α). */
  upper: number;
  /** Healthy once it falls to ln(β/2). */
  lower: number;
  /** Level of the window-end test of "rate ≤ p0" (α/2). */
  endAlpha: number;
  /** Level of the window-end test of "rate ≥ p1" (β/2). */
  endBeta: number;
}

function hypothesis(metric: Metric, threshold: number, s: VerificationSettings): Hypothesis {
  const healthy = s.healthyRatio * threshold;
  const failing = s.failingRatio * threshold;
  return {
    metric,
    threshold,
    healthy,
    failing,
    perEvent: Math.log(failing / healthy),
    perNonEvent: Math.log1p(-failing) - Math.log1p(-healthy),
    upper: Math.log(2 / s.falseRollbackMax),
    lower: Math.log(s.missedBreachMax / 2),
    endAlpha: s.falseRollbackMax / 2,
    endBeta: s.missedBreachMax / 2,
  };
}

export function hypotheses(s: VerificationSettings): Record<Metric, Hypothesis> {
  return { errors: hypothesis('errors', s.errorRateMax, s), latency: hypothesis('latency', 1 - LATENCY_QUANTILE, s) };
}

/**
 * Fewest requests that can prove a metric healthy, all of them good: the window-end test needs
 * (1 − p1)^n ≤ β/2, the sequential test n·ln((1−p1)/(1−p0)) ≤ ln(β/2); whichever is fewer.
 * Below it a window can only end in a breach or "inconclusive" — the arithmetic of thin traffic.
 */
export function minRequestsForHealthy(h: Hypothesis): number {
  const sequential = Math.ceil(h.lower / h.perNonEvent - 1e-9);
  const windowEnd = Math.ceil(Math.log(h.endBeta) / Math.log1p(-h.failing) - 1e-9);
  return Math.min(sequential, windowEnd);
}
