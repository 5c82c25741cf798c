/**
 * The traffic model the simulations share: Poisson arrivals, independent failures at a fixed
 * rate, and lognormal latency whose 95th percentile is exactly the configured P95.
 */
import { normalCdf, Z_95 } from './stats.js';

export interface TrafficModel {
  /** Mean requests per second (Poisson arrivals). */
  rps: number;
  /** Probability that a request fails. */
  errorRate: number;
  /** The latency distribution's true 95th percentile, in ms. */
  p95Ms: number;
  /** Shape of the lognormal latency (σ of ln duration); default DEFAULT_LATENCY_SIGMA. */
  latencySigma?: number | undefined;
}

/**
 * σ = 0.8 puts the P95 at 3.7 × the median (e.g. median 50 ms, P95 185 ms), a common shape for web
 * requests; a heavier tail makes "P95 1.5 s" look slower against a 2 s threshold (see verify-plan
 * --latency-sigma).
 */
export const DEFAULT_LATENCY_SIGMA = 0.8;

/** ln-space mean of the lognormal whose 95th percentile is p95Ms. */
export const lognormalMu = (p95Ms: number, sigma = DEFAULT_LATENCY_SIGMA): number => Math.log(p95Ms) - sigma * Z_95;

/** The fraction of requests slower than thresholdMs under the model. */
export function slowFraction(p95Ms: number, thresholdMs: number, sigma = DEFAULT_LATENCY_SIGMA): number {
  return 1 - normalCdf((Math.log(thresholdMs) - lognormalMu(p95Ms, sigma)) / sigma);
}

export function trafficProblem(t: TrafficModel): string | undefined {
  if (!Number.isFinite(t.rps) || t.rps < 0 || t.rps > 100_000) return 'rps must be between 0 and 100000';
  if (!Number.isFinite(t.errorRate) || t.errorRate < 0 || t.errorRate > 1) return 'error rate must be between 0 and 1';
  if (!Number.isFinite(t.p95Ms) || t.p95Ms <= 0 || t.p95Ms > 3_600_000) return 'P95 must be a positive number of ms';
  const sigma = t.latencySigma ?? DEFAULT_LATENCY_SIGMA;
  if (!Number.isFinite(sigma) || sigma <= 0 || sigma > 5) return 'latency sigma must be in (0, 5]';
  return undefined;
}
