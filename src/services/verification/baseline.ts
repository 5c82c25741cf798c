/**
 * The pre-deploy baseline (the same-length window before the image changed) judged by the same
 * test, and compared with the new version. Two questions, each asked once per release (at its
 * verdict), so no correction for repeated looks is needed:
 *  - was the old version already breaching? Then a breach is not the release's fault.
 *  - is the new version significantly worse than the old one, even below the threshold?
 */
import type { Hypothesis, Metric, VerificationSettings } from './settings.js';
import { testState, type TestState } from './sprt.js';
import { binomialUpperTail } from './stats.js';

export interface Counts {
  requests: number;
  failures: number;
  /** Requests slower than the P95 threshold; absent when the sample did not count them. */
  slow?: number | undefined;
  /** Sample P95 for display only; the rule uses `slow`. */
  p95Ms?: number | null | undefined;
}

export const eventsOf = (c: Counts, metric: Metric): number | undefined => (metric === 'errors' ? c.failures : c.slow);

export interface MetricComparison {
  metric: Metric;
  /** The baseline judged by the same test (one look). */
  baseline: TestState;
  /** The old version itself crossed the breach boundary. */
  breaching: boolean;
  /** One-sided p-value of "new rate ≤ regressionRatio × baseline rate"; null when either side had no requests. */
  pValue: number | null;
  /** pValue ≤ α: the new version is significantly worse than its baseline. */
  worse: boolean;
}

/**
 * Exact conditional test for a ratio of two Poisson rates (the textbook comparison of two event
 * counts over different exposures): given k = x1 + x2 events in all, x1 ~ Binomial(k, π) with
 * π = r·n1 / (r·n1 + n2) when the new rate is exactly r times the old one.
 */
export function ratioTestPValue(x1: number, n1: number, x2: number, n2: number, ratio: number): number | null {
  if (n1 <= 0 || n2 <= 0) return null;
  const k = x1 + x2;
  if (k === 0) return 1;
  return binomialUpperTail(x1, k, (ratio * n1) / (ratio * n1 + n2));
}

export function compareMetric(h: Hypothesis, release: TestState, baseline: Counts, s: VerificationSettings): MetricComparison | undefined {
  const events = eventsOf(baseline, h.metric);
  if (events === undefined) return undefined;
  const base = testState(h, events, baseline.requests);
  const pValue = ratioTestPValue(release.events, release.requests, base.events, base.requests, s.regressionRatio);
  return {
    metric: h.metric,
    baseline: base,
    breaching: base.side === 'breach',
    pValue,
    worse: pValue !== null && pValue <= s.falseRollbackMax,
  };
}

/**
 * Whose fault a breach is: the baseline's when every breaching metric was already breaching
 * before the deploy and the new version is not significantly worse there.
 */
export function blameFor(breached: Metric[], comparisons: MetricComparison[]): 'release' | 'baseline' {
  const explained = breached.every((m) => {
    const c = comparisons.find((x) => x.metric === m);
    return c !== undefined && c.breaching && !c.worse;
  });
  return breached.length > 0 && explained ? 'baseline' : 'release';
}
