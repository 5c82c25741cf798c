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
import { blameFor, compareMetric, eventsOf, type Counts } from './baseline.js';
import { hypotheses, type Hypothesis, type Metric, type VerificationSettings } from './settings.js';
import { interval, testState, windowEndTest, type Side, type TestState, type WindowEndTest } from './sprt.js';
import { explain } from './verdict.js';
import type {
  Look,
  VerificationInput,
  VerificationOutcome,
  VerificationReason,
  MetricEvidence,
  LookEvidence,
  Tests,
  VerificationDecision,
} from './decision.js';

export type {
  Look,
  WeightedCounts,
  VerificationInput,
  VerificationOutcome,
  MetricEvidence,
  LookEvidence,
  VerificationDecision,
} from './decision.js';

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
