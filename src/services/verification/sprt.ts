/**
 * Wald's sequential probability ratio test for a binomial rate, with boundaries from Ville's
 * inequality. The likelihood ratio of "failing" (p1) over "healthy" (p0) is a non-negative
 * martingale under p0 (a supermartingale for any p ≤ p0), so it ever reaches 1/α with probability
 * at most α — however often and whenever it is looked at, and however the window is extended.
 * Symmetrically, under any p ≥ p1 it ever falls to β with probability at most β. Looking every
 * 30 s, at cumulative counts, is therefore sound without any correction for repeated looks.
 *
 * A test still open when the first window ends gets one exact binomial test on the whole window
 * (windowEndTest), with the other half of each error budget.
 */
import type { Hypothesis } from './settings.js';
import { binomialLowerTail, binomialUpperTail, wilson } from './stats.js';

export type Side = 'breach' | 'healthy' | 'open';

export interface TestState {
  /** Failures (errors) or slow requests (latency), cumulative. */
  events: number;
  requests: number;
  /** events / requests; null without requests. */
  rate: number | null;
  /** ln(L(p1) / L(p0)): above 0 the data favour "failing". */
  llr: number;
  side: Side;
}

export function llr(h: Hypothesis, events: number, requests: number): number {
  return events * h.perEvent + (requests - events) * h.perNonEvent;
}

export function testState(h: Hypothesis, events: number, requests: number): TestState {
  const e = Math.min(Math.max(0, events), Math.max(0, requests));
  const n = Math.max(0, requests);
  const value = llr(h, e, n);
  const side: Side = value >= h.upper ? 'breach' : value <= h.lower ? 'healthy' : 'open';
  return { events: e, requests: n, rate: n > 0 ? e / n : null, llr: value, side };
}

/** The 95 % Wilson interval of a state's rate, for people. */
export const interval = (t: TestState) => wilson(t.events, t.requests);

/**
 * How many more good requests would prove the metric healthy from here, if no further event came:
 * the honest "what would it take" for an inconclusive verdict.
 */
export function requestsToHealthy(h: Hypothesis, t: TestState): number {
  if (t.llr <= h.lower) return 0;
  return Math.ceil((h.lower - t.llr) / h.perNonEvent - 1e-9);
}

export interface WindowEndTest {
  /** p-value of "the rate is at most the healthy rate" (small: evidence of a breach). */
  pHealthy: number;
  /** p-value of "the rate is at least the failing rate" (small: evidence of health). */
  pFailing: number;
  side: Side;
}

/**
 * The end-of-window decision for an open test: breach when the rate is significantly above the
 * healthy rate (p ≤ α/2) and the measured rate is above the threshold; healthy when it is
 * significantly below the failing rate (p ≤ β/2) and the measured rate is at most the threshold;
 * otherwise still open — inconclusive. Under a healthy rate it breaches with probability ≤ α/2.
 */
export function windowEndTest(h: Hypothesis, t: TestState): WindowEndTest {
  if (t.requests === 0 || t.rate === null) return { pHealthy: 1, pFailing: 1, side: 'open' };
  const pHealthy = binomialUpperTail(t.events, t.requests, h.healthy);
  const pFailing = binomialLowerTail(t.events, t.requests, h.failing);
  const side: Side =
    pHealthy <= h.endAlpha && t.rate > h.threshold ? 'breach' : pFailing <= h.endBeta && t.rate <= h.threshold ? 'healthy' : 'open';
  return { pHealthy, pFailing, side };
}
