/**
 * The verification decision: cumulative counts sampled during the window in, one of
 * continue | breach | healthy | inconclusive out, with the evidence and a plain-English verdict.
 * Pure: the pipeline and the verify-plan simulation call this same function, look after look.
 *
 * Rule, per metric (failed requests; requests slower than the P95 threshold), a sequential
 * probability ratio test between a healthy rate (healthyRatio × threshold) and a failing one
 * (failingRatio × threshold) — see sprt.ts:
 *  - breach the moment either test crosses its upper boundary (any look);
 *  - at the end of the first window, a test still open gets one exact binomial test;
 *  - healthy at the window's end when both tests are on the healthy side (and the window held at
 *    least minRequests); with earlyPass, as soon as both sequential tests are;
 *  - otherwise, at the window's end, inconclusive — the evidence could not tell; never a coin flip.
 */
import { blameFor, compareMetric, eventsOf, type Counts, type MetricComparison } from './baseline.js';
import { hypotheses, type Hypothesis, type Metric, type VerificationSettings } from './settings.js';
import { interval, testState, windowEndTest, type Side, type TestState, type WindowEndTest } from './sprt.js';
import { explain } from './verdict.js';

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

type Tests = { errors: TestState; latency: TestState | null };

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

const METRICS = ['errors', 'latency'] as const;
const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;

function metricEvidence(t: TestState): MetricEvidence {
  const ci = interval(t);
  return {
    rate: t.rate === null ? null : round(t.rate, 6),
    ci95: ci ? [round(ci.low, 6), round(ci.high, 6)] : null,
    llr: round(t.llr, 3),
    side: t.side,
  };
}

function judge(h: Record<Metric, Hypothesis>, c: Counts): Tests {
  const slow = eventsOf(c, 'latency');
  return {
    errors: testState(h.errors, c.failures, c.requests),
    latency: slow === undefined ? null : testState(h.latency, slow, c.requests),
  };
}

function lookEvidence(i: number, look: Look, prev: Look | undefined, t: Tests): LookEvidence {
  const diff = (a: number | undefined, b: number | undefined) => (a === undefined ? null : Math.max(0, a - (b ?? 0)));
  return {
    look: look.sample ?? i + 1,
    atS: look.atS,
    requests: look.requests,
    failures: look.failures,
    slow: look.slow ?? null,
    p95Ms: look.p95Ms ?? null,
    interval: {
      requests: diff(look.requests, prev?.requests) ?? 0,
      failures: diff(look.failures, prev?.failures) ?? 0,
      slow: diff(look.slow, prev?.slow),
    },
    errors: metricEvidence(t.errors),
    latency: t.latency ? metricEvidence(t.latency) : null,
    ...(look.weighted ? { weighted: look.weighted } : {}),
  };
}

const rule = (x: Hypothesis) => ({
  threshold: x.threshold,
  healthy: round(x.healthy, 6),
  failing: round(x.failing, 6),
  upper: round(x.upper),
  lower: round(x.lower),
  endAlpha: x.endAlpha,
  endBeta: x.endBeta,
});

export function decideVerification(input: VerificationInput, s: VerificationSettings): VerificationDecision {
  const h = hypotheses(s);
  const evidence: LookEvidence[] = [];
  const noLook: Look = { atS: 0, requests: 0, failures: 0 };
  let tests = judge(h, noLook);
  let last = noLook;
  let windowEnd: Partial<Record<Metric, WindowEndTest>> | undefined;

  for (const [i, look] of input.looks.entries()) {
    tests = judge(h, look);
    last = look;
    evidence.push(lookEvidence(i, look, input.looks[i - 1], tests));
    const crossed = METRICS.filter((m) => tests[m]?.side === 'breach');
    if (crossed.length > 0) return finish('breach', 'breach', crossed, 'sequential');
  }
  const noTraffic = last.requests === 0 && (input.baseline?.requests ?? 0) === 0;
  const atEnd = input.looks.length > 0 && last.atS >= input.windowS;
  const enough = last.requests >= s.minRequests;
  const sequentiallyHealthy = tests.errors.side === 'healthy' && tests.latency?.side === 'healthy';
  if (sequentiallyHealthy && enough && (atEnd || s.earlyPass)) return finish('healthy', 'healthy', [...METRICS], 'sequential');
  if (!atEnd) return finish('continue', 'observing', []);
  if (noTraffic) return finish('inconclusive', 'no-traffic', [...METRICS]);

  // The window's end: what the sequential tests left open gets the exact test, once.
  const side: Record<Metric, Side | undefined> = { errors: tests.errors.side, latency: tests.latency?.side };
  if (!input.extended) {
    for (const m of METRICS) {
      const t = tests[m];
      if (!t || t.side !== 'open') continue;
      windowEnd = { ...windowEnd, [m]: windowEndTest(h[m], t) };
      side[m] = windowEnd[m]?.side;
    }
  }
  const breached = METRICS.filter((m) => side[m] === 'breach');
  if (breached.length > 0) return finish('breach', 'breach', breached, 'window-end');
  if (tests.latency === null) return finish('inconclusive', 'latency-not-measured', ['latency']);
  const open = METRICS.filter((m) => side[m] !== 'healthy');
  if (open.length > 0) return finish('inconclusive', 'thin-evidence', open);
  if (!enough) return finish('inconclusive', 'too-few-requests', [...METRICS]);
  return finish('healthy', 'healthy', [...METRICS], windowEnd ? 'window-end' : 'sequential');

  function finish(
    outcome: VerificationOutcome,
    reason: VerificationReason,
    metrics: Metric[],
    decidedBy?: 'sequential' | 'window-end',
  ): VerificationDecision {
    const base = input.baseline;
    // Compared with the baseline once, at the verdict (never at every look: no repeated testing).
    const comparisons =
      outcome !== 'continue' && base
        ? METRICS.flatMap((m) => {
            const t = tests[m];
            const c = t ? compareMetric(h[m], t, base, s) : undefined;
            return c ? [c] : [];
          })
        : [];
    const breachedMetric = (m: Metric) => outcome === 'breach' && metrics.includes(m);
    const decision: VerificationDecision = {
      outcome,
      reason,
      metrics,
      ...(decidedBy ? { decidedBy } : {}),
      samples: evidence.at(-1)?.look ?? 0,
      atS: last.atS,
      noTraffic: last.requests === 0 && (base?.requests ?? 0) === 0,
      ...(outcome === 'breach' && base ? { blame: blameFor(metrics, comparisons) } : {}),
      regressions: comparisons.filter((c) => c.worse && !breachedMetric(c.metric)).map((c) => c.metric),
      tests,
      ...(windowEnd ? { windowEnd } : {}),
      ...(base ? { baseline: { counts: base, comparisons } } : {}),
      rule: { errors: rule(h.errors), latency: rule(h.latency) },
      evidence,
      verdict: '',
    };
    decision.verdict = explain(decision, s);
    return decision;
  }
}
