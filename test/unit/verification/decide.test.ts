/**
 * The verification rule pinned on exact sample sequences: what it decides, when, and how it says so.
 * Production defaults: threshold 1 % / P95 2 s, healthy ½×, failing 2×, α = β = 1 %.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_VERIFICATION_SETTINGS as S,
  combineDecisions,
  decideVerification,
  verificationSettings,
  type Look,
  type VerificationInput,
} from '../../../src/services/verification/index.js';

const WINDOW = 300;
/** Evenly growing cumulative counts, one look every 30 s. */
const looks = (n: number, perLook: { requests: number; failures: number; slow?: number }): Look[] =>
  Array.from({ length: n }, (_, i) => ({
    atS: 30 * (i + 1),
    requests: perLook.requests * (i + 1),
    failures: perLook.failures * (i + 1),
    slow: (perLook.slow ?? 0) * (i + 1),
  }));
const decide = (input: Partial<VerificationInput> & Pick<VerificationInput, 'looks'>, s = S) =>
  decideVerification({ windowS: WINDOW, ...input }, s);

describe('a clear breach rolls back at the first or second sample', () => {
  it('5 % errors at 5 rps: 8 failures of the first 150 requests cross the boundary at sample 1', () => {
    const d = decide({ looks: [{ atS: 30, requests: 150, failures: 8, slow: 0 }] });
    expect(d).toMatchObject({ outcome: 'breach', reason: 'breach', metrics: ['errors'], decidedBy: 'sequential', samples: 1, atS: 30 });
    expect(d.verdict).toBe('error rate 5.3 % (95 % CI 2.7–10.2 %) is above 1 %: rolled back after 1 sample');
  });

  it('the fewest failures that breach among the first 150 requests: 6 (ln LR 5.53 ≥ ln 200)', () => {
    expect(decide({ looks: [{ atS: 30, requests: 150, failures: 5, slow: 0 }] }).outcome).toBe('continue');
    const d = decide({ looks: [{ atS: 30, requests: 150, failures: 6, slow: 0 }] });
    expect(d.outcome).toBe('breach');
    expect(d.evidence[0]?.errors.llr).toBeCloseTo(6 * Math.log(4) + 144 * Math.log(0.98 / 0.995), 3);
  });

  it('a second sample adds the evidence the first lacked, and the verdict reads like the issue asked', () => {
    const d = decide({
      looks: [
        { atS: 30, requests: 150, failures: 4, slow: 0 },
        { atS: 60, requests: 290, failures: 12, slow: 0 },
      ],
    });
    expect(d).toMatchObject({ outcome: 'breach', samples: 2, atS: 60 });
    expect(d.verdict).toBe('error rate 4.1 % (95 % CI 2.4–7.1 %) is above 1 %: rolled back after 2 samples');
    expect(d.evidence.map((e) => [e.errors.side, e.interval])).toEqual([
      ['open', { requests: 150, failures: 4, slow: 0 }],
      ['breach', { requests: 140, failures: 8, slow: 0 }],
    ]);
  });

  it('four failures out of four requests are enough: thin traffic does not hide a total failure', () => {
    expect(decide({ looks: [{ atS: 30, requests: 4, failures: 4, slow: 0 }] }).outcome).toBe('breach');
    expect(decide({ looks: [{ atS: 30, requests: 3, failures: 3, slow: 0 }] }).outcome).toBe('continue');
  });

  it('latency is tested as the share of requests slower than the P95 threshold', () => {
    const d = decide({ looks: [{ atS: 30, requests: 150, failures: 0, slow: 20, p95Ms: 2600 }] });
    expect(d).toMatchObject({ outcome: 'breach', metrics: ['latency'] });
    expect(d.verdict).toBe(
      'P95 is above 2 s: 13.3 % of requests slower than 2 s (95 % CI 8.8–19.7 %), more than 5 %: rolled back after 1 sample',
    );
    expect(d.evidence[0]).toMatchObject({ slow: 20, p95Ms: 2600 });
  });

  it('a breach seen at an earlier sample stays the decision', () => {
    const d = decide({
      looks: [
        { atS: 30, requests: 150, failures: 10, slow: 0 },
        { atS: 60, requests: 3000, failures: 10, slow: 0 },
      ],
    });
    expect(d).toMatchObject({ outcome: 'breach', samples: 1, atS: 30 });
  });
});

describe('a borderline release waits for more evidence', () => {
  it('1.3 % after 150 requests is not enough either way: continue', () => {
    const d = decide({ looks: [{ atS: 30, requests: 150, failures: 2, slow: 0 }] });
    expect(d).toMatchObject({ outcome: 'continue', reason: 'observing', metrics: [] });
    expect(d.verdict).toBe(
      'observing after 1 sample: error rate 1.3 % (95 % CI 0.37–4.7 %); 0 % of requests slower than 2 s (95 % CI 0–2.5 %)',
    );
  });

  it('a healthy-looking release is not passed before the window ends (the window watches for a late breach)', () => {
    const d = decide({ looks: looks(5, { requests: 150, failures: 0 }) });
    expect(d.outcome).toBe('continue');
    expect(d.tests.errors.side).toBe('healthy');
  });

  it('earlyPass ends the window as soon as both metrics are proven healthy', () => {
    const d = decide({ looks: looks(3, { requests: 150, failures: 0 }) }, verificationSettings({ earlyPass: true }));
    expect(d).toMatchObject({ outcome: 'healthy', samples: 3, atS: 90, decidedBy: 'sequential' });
  });
});

describe('the window end decides what is still open', () => {
  const end = (failures: number, extra: Partial<VerificationInput> = {}) =>
    decide({ looks: [{ atS: 300, requests: 1500, failures, slow: 0 }], ...extra });

  it('healthy 0.2 % over 1500 requests: healthy by the sequential test', () => {
    const d = decide({ looks: looks(10, { requests: 150, failures: 0 }).map((l, i) => ({ ...l, failures: i < 5 ? 1 : 3 })) });
    expect(d).toMatchObject({ outcome: 'healthy', reason: 'healthy', decidedBy: 'sequential', samples: 10 });
    expect(d.verdict).toBe(
      'healthy after 10 samples (1500 requests): error rate 0.2 % (95 % CI 0.07–0.59 %) does not exceed 1 %; P95 is below 2 s: 0 % of requests slower than 2 s (95 % CI 0–0.26 %)',
    );
  });

  it('15 of 1500 (1.0 %): still open at the end; significantly below 2 % and not above 1 % → healthy', () => {
    const d = end(15);
    expect(d).toMatchObject({ outcome: 'healthy', decidedBy: 'window-end' });
    expect(d.windowEnd?.errors?.side).toBe('healthy');
    expect(d.windowEnd?.errors?.pFailing).toBeCloseTo(0.0018, 4);
  });

  it('16 of 1500 (1.07 %): significantly above 0.5 % (p 0.0045 ≤ α/2) and above 1 % → breach', () => {
    const d = end(16);
    expect(d).toMatchObject({ outcome: 'breach', decidedBy: 'window-end', metrics: ['errors'] });
    expect(d.windowEnd?.errors?.pHealthy).toBeCloseTo(0.0045, 4);
    expect(d.verdict).toBe('error rate 1.1 % (95 % CI 0.66–1.7 %) is above 1 %: rolled back after 1 sample');
  });

  it('after an extension the end-of-window test is spent: what is open stays inconclusive', () => {
    const d = end(16, { extended: true, windowS: 600, looks: [{ atS: 600, requests: 1500, failures: 16, slow: 0 }] });
    expect(d).toMatchObject({ outcome: 'inconclusive', reason: 'thin-evidence', metrics: ['errors'] });
    expect(d.windowEnd).toBeUndefined();
  });

  it('an extended window ends at its new end, not the first one', () => {
    const d = decide({ windowS: 600, extended: true, looks: [{ atS: 330, requests: 1650, failures: 17, slow: 0 }] });
    expect(d.outcome).toBe('continue');
  });
});

describe('too little traffic is inconclusive, never a coin flip', () => {
  it('1 rps for 300 s: 2 failures in 300 requests cannot be told from 1 %', () => {
    const d = decide({ looks: [{ atS: 300, requests: 300, failures: 2, slow: 0 }] });
    expect(d).toMatchObject({ outcome: 'inconclusive', reason: 'thin-evidence', metrics: ['errors'] });
    expect(d.windowEnd?.errors?.side).toBe('open');
    expect(d.verdict).toBe(
      'inconclusive after 1 sample (300 requests): error rate 0.67 % (95 % CI 0.18–2.4 %) cannot yet be told from 1 % (about 234 more good requests would show it healthy)',
    );
  });

  it('even a perfect record needs enough requests: 0 of 300 is healthy only by the window-end test', () => {
    expect(decide({ looks: [{ atS: 300, requests: 300, failures: 0, slow: 0 }] })).toMatchObject({
      outcome: 'healthy',
      decidedBy: 'window-end',
    });
    expect(decide({ looks: [{ atS: 300, requests: 200, failures: 0, slow: 0 }] })).toMatchObject({ outcome: 'inconclusive' });
  });

  it('no request at all, in the window nor before it: says the app is not instrumented', () => {
    const d = decide({ looks: [{ atS: 300, requests: 0, failures: 0, slow: 0 }], baseline: { requests: 0, failures: 0, slow: 0 } });
    expect(d).toMatchObject({ outcome: 'inconclusive', reason: 'no-traffic', noTraffic: true });
    expect(d.verdict).toMatch(/not instrumented, or its telemetry role name is wrong/);
  });

  it('minRequests still applies to a healthy verdict', () => {
    const d = decide({ looks: looks(10, { requests: 150, failures: 0 }) }, verificationSettings({ minRequests: 2000 }));
    expect(d).toMatchObject({ outcome: 'inconclusive', reason: 'too-few-requests' });
  });

  it('samples without a slow-request count cannot pass latency', () => {
    const d = decide({ looks: [{ atS: 300, requests: 1500, failures: 1 }] });
    expect(d).toMatchObject({ outcome: 'inconclusive', reason: 'latency-not-measured', metrics: ['latency'] });
    expect(d.tests.latency).toBeNull();
  });

  it('no samples yet: continue', () => {
    expect(decide({ looks: [] })).toMatchObject({ outcome: 'continue', samples: 0, atS: 0 });
  });
});

describe('the baseline before the deploy', () => {
  it('the old version was failing the same way: not the release’s fault', () => {
    const d = decide({ looks: [{ atS: 30, requests: 150, failures: 8, slow: 0 }], baseline: { requests: 1500, failures: 75, slow: 0 } });
    expect(d).toMatchObject({ outcome: 'breach', blame: 'baseline', regressions: [] });
    expect(d.baseline?.comparisons[0]).toMatchObject({ metric: 'errors', breaching: true, worse: false });
    expect(d.verdict).toBe(
      "error rate 5.3 % (95 % CI 2.7–10.2 %) is above 1 %, but the version before the deploy was failing the same way (baseline 5 %, 95 % CI 4–6.2 %): not the release's fault (after 1 sample)",
    );
  });

  it('the old version was failing, the new one much worse: the release is to blame', () => {
    const d = decide({ looks: [{ atS: 30, requests: 150, failures: 15, slow: 0 }], baseline: { requests: 1500, failures: 30, slow: 0 } });
    expect(d).toMatchObject({ outcome: 'breach', blame: 'release' });
    expect(d.baseline?.comparisons[0]?.worse).toBe(true);
  });

  it('a healthy baseline: the release is to blame', () => {
    const d = decide({ looks: [{ atS: 30, requests: 150, failures: 8, slow: 0 }], baseline: { requests: 1500, failures: 3, slow: 0 } });
    expect(d.blame).toBe('release');
  });

  it('below the threshold but significantly worse than before: healthy with a regression warning', () => {
    const d = decide({ looks: [{ atS: 300, requests: 1500, failures: 15, slow: 0 }], baseline: { requests: 1500, failures: 1, slow: 0 } });
    expect(d).toMatchObject({ outcome: 'healthy', regressions: ['errors'] });
    expect(d.verdict).toMatch(
      /; warning: significantly worse than before the deploy: the error rate \(baseline 0\.07 %, 95 % CI 0\.01–0\.38 %\)$/,
    );
  });

  it('a small, insignificant rise is no warning', () => {
    const d = decide({ looks: [{ atS: 300, requests: 1500, failures: 12, slow: 0 }], baseline: { requests: 1500, failures: 1, slow: 0 } });
    expect(d.regressions).toEqual([]);
  });

  it('the baseline is not consulted while observing (one comparison per release, at its verdict)', () => {
    const d = decide({ looks: [{ atS: 30, requests: 150, failures: 1, slow: 0 }], baseline: { requests: 1500, failures: 0, slow: 0 } });
    expect(d.baseline?.comparisons).toEqual([]);
  });
});

describe('evidence', () => {
  it('records the rule and, per sample, counts, interval deltas, statistic, interval and side', () => {
    const d = decide({ looks: looks(2, { requests: 150, failures: 1, slow: 1 }) });
    expect(d.rule.errors).toEqual({
      threshold: 0.01,
      healthy: 0.005,
      failing: 0.02,
      upper: 5.2983,
      lower: -5.2983,
      endAlpha: 0.005,
      endBeta: 0.005,
    });
    expect(d.rule.latency).toMatchObject({ healthy: 0.025, failing: 0.1 });
    expect(d.evidence[1]).toEqual({
      look: 2,
      atS: 60,
      requests: 300,
      failures: 2,
      slow: 2,
      p95Ms: null,
      interval: { requests: 150, failures: 1, slow: 1 },
      errors: { rate: 0.006667, ci95: [0.00183, 0.023978], llr: -1.754, side: 'open' },
      latency: { rate: 0.006667, ci95: [0.00183, 0.023978], llr: -21.08, side: 'healthy' },
    });
  });
});

describe('several apps (a manifest release)', () => {
  const healthy = decide({ looks: looks(10, { requests: 150, failures: 0 }) });
  const observing = decide({ looks: looks(2, { requests: 150, failures: 0 }) });
  const thin = decide({ looks: [{ atS: 300, requests: 300, failures: 2, slow: 0 }] });
  const breach = decide({ looks: [{ atS: 30, requests: 150, failures: 8, slow: 0 }] });

  it('end by the most urgent decision: breach, then observing, then inconclusive, then healthy', () => {
    expect(combineDecisions({ a: healthy, b: breach, c: thin })).toMatchObject({ app: 'b', decision: { outcome: 'breach' } });
    expect(combineDecisions({ a: healthy, b: thin, c: observing })).toMatchObject({ app: 'c', decision: { outcome: 'continue' } });
    expect(combineDecisions({ a: healthy, b: thin })).toMatchObject({ app: 'b', decision: { outcome: 'inconclusive' } });
    expect(combineDecisions({ a: healthy })).toMatchObject({ app: 'a', decision: { outcome: 'healthy' } });
    expect(combineDecisions({})).toBeUndefined();
  });
});
