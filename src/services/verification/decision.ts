/**
 * The shapes of a verification decision (its own file so that the verdict wording can read them
 * without importing the decision that calls it).
 */
import type { Counts, MetricComparison } from './baseline.js';
import type { Hypothesis, Metric } from './settings.js';
import type { Side, TestState, WindowEndTest } from './sprt.js';

/** One sample: cumulative counts from the window's start to `atS` seconds after it. */
export interface Look extends Counts {
  atS: number;
  /**
   * 1-based number of this sample, when the caller keeps only some of the history (a long window
   * with short intervals): the decision needs only the latest counts, the numbering keeps the
   * evidence and "after N samples" true. Default: the position in `looks`.
   */
  sample?: number | undefined;
  /**
   * The ItemCount-weighted counts, when Application Insights sampling made them differ from the
   * retained rows this look counts: shown to people, never tested (one retained row is one
   * observation, however many requests it stands for).
   */
  weighted?: WeightedCounts | undefined;
}

export interface WeightedCounts {
  requests: number;
  failures: number;
  slow?: number | undefined;
}

export interface VerificationInput {
  /** Every sample so far, oldest first, each cumulative since the window's start. */
  looks: readonly Look[];
  /** Seconds from the window's start to its end (after an extension: the new end). */
  windowS: number;
  /** The window was extended (inconclusive policy): its end-of-window test was spent at the first end. */
  extended?: boolean | undefined;
  /** The same-length window before the deploy, when it could be measured. */
  baseline?: Counts | undefined;
}

export type VerificationOutcome = 'continue' | 'breach' | 'healthy' | 'inconclusive';
export type VerificationReason =
  'observing' | 'breach' | 'healthy' | 'no-traffic' | 'too-few-requests' | 'thin-evidence' | 'latency-not-measured';

export interface MetricEvidence {
  rate: number | null;
  /** 95 % Wilson interval of the rate. */
  ci95: [number, number] | null;
  /** The test statistic: ln of the likelihood ratio failing : healthy. */
  llr: number;
  /** Which boundary it is at or beyond ('open': between them). */
  side: Side;
}

export interface LookEvidence {
  look: number;
  atS: number;
  requests: number;
  failures: number;
  slow: number | null;
  p95Ms: number | null;
  /** This interval alone: the difference from the previous sample. */
  interval: { requests: number; failures: number; slow: number | null };
  errors: MetricEvidence;
  latency: MetricEvidence | null;
  /** Sampled telemetry: what the rows above stand for (see Look.weighted). */
  weighted?: WeightedCounts;
}

export type Tests = { errors: TestState; latency: TestState | null };

export interface VerificationDecision {
  outcome: VerificationOutcome;
  reason: VerificationReason;
  /** breach: the metrics that crossed; inconclusive: those still open; healthy: both. */
  metrics: Metric[];
  /** 'sequential': a boundary was crossed at a look; 'window-end': the end-of-window test decided. */
  decidedBy?: 'sequential' | 'window-end';
  /** Samples used (a breach stops at the first that crossed). */
  samples: number;
  atS: number;
  /** Not one request in the window so far nor in its baseline: not instrumented, or a wrong role name. */
  noTraffic: boolean;
  /** On a breach with a baseline: 'baseline' when the old version was failing the same way. */
  blame?: 'release' | 'baseline';
  /** Metrics on which the new version is significantly worse than its baseline (a warning). */
  regressions: Metric[];
  tests: Tests;
  /** The end-of-window tests, for the metrics that were still open then. */
  windowEnd?: Partial<Record<Metric, WindowEndTest>>;
  baseline?: { counts: Counts; comparisons: MetricComparison[] };
  /** The rule's constants, so the evidence can be checked by hand. */
  rule: Record<Metric, Omit<Hypothesis, 'metric' | 'perEvent' | 'perNonEvent'>>;
  evidence: LookEvidence[];
  /** One line for people, e.g. "error rate 4.1 % (95 % CI 2.6–6.2 %) is above 1 %: rolled back after 2 samples". */
  verdict: string;
}
