/** The formulas under the rule, against independent computations. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { binomialLowerTail, binomialUpperTail, normalCdf, wilson, Z_95 } from '../../../src/services/verification/stats.js';
import { ratioTestPValue } from '../../../src/services/verification/baseline.js';
import { slowFraction, lognormalMu } from '../../../src/services/verification/traffic.js';
import { percent } from '../../../src/services/verification/verdict.js';
import {
  hypotheses,
  minRequestsForHealthy,
  verificationSettings,
  DEFAULT_VERIFICATION_SETTINGS,
} from '../../../src/services/verification/settings.js';

/** Binomial pmf by the textbook product, in log space, summed over a range: independent of stats.ts. */
function pmfSum(lo: number, hi: number, n: number, p: number): number {
  let sum = 0;
  for (let i = lo; i <= hi; i++) {
    let log = i * Math.log(p) + (n - i) * Math.log(1 - p);
    for (let j = 1; j <= i; j++) log += Math.log((n - i + j) / j);
    sum += Math.exp(log);
  }
  return sum;
}

describe('binomial tails', () => {
  it('equal the direct sum of the pmf', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.double({ min: 0.001, max: 0.999, noNaN: true }), fc.nat(), (n, p, raw) => {
        const x = raw % (n + 1);
        expect(binomialUpperTail(x, n, p)).toBeCloseTo(pmfSum(x, n, n, p), 9);
        expect(binomialLowerTail(x, n, p)).toBeCloseTo(pmfSum(0, x, n, p), 9);
      }),
      { seed: 12, numRuns: 300 },
    );
  });

  it('edges: empty ranges and degenerate rates', () => {
    expect(binomialUpperTail(0, 10, 0.3)).toBe(1);
    expect(binomialUpperTail(11, 10, 0.3)).toBe(0);
    expect(binomialUpperTail(1, 10, 0)).toBe(0);
    expect(binomialLowerTail(10, 10, 0.3)).toBe(1);
    expect(binomialLowerTail(-1, 10, 0.3)).toBe(0);
  });

  it('stays accurate far in the tail of large samples (the window-end test at 100 rps)', () => {
    // P(X ≥ 400 | n = 30000, p = 0.005): about 10 standard deviations out; the relative precision matters.
    const tail = binomialUpperTail(400, 30_000, 0.005);
    expect(tail).toBeGreaterThan(0);
    expect(tail).toBeLessThan(1e-12);
    expect(binomialLowerTail(150, 30_000, 0.005) + binomialUpperTail(151, 30_000, 0.005)).toBeCloseTo(1, 12);
  });
});

describe('normal CDF and Wilson interval', () => {
  it('hits known quantiles', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(Z_95)).toBeCloseTo(0.95, 6);
    expect(normalCdf(-1.959963984540054)).toBeCloseTo(0.025, 6);
  });

  it('Wilson: 2 of 300 by hand, 0 of 10, and no requests', () => {
    const w = wilson(2, 300)!;
    expect(w.low).toBeCloseTo(0.00183, 5);
    expect(w.high).toBeCloseTo(0.023978, 5);
    expect(wilson(0, 10)).toEqual({ low: 0, high: expect.closeTo(0.27753, 4) as number });
    expect(wilson(10, 10)?.high).toBe(1);
    expect(wilson(0, 0)).toBeNull();
  });
});

describe('the hypotheses from the settings', () => {
  it('derive healthy and failing rates and Ville boundaries ln(2/α), ln(β/2)', () => {
    const h = hypotheses(DEFAULT_VERIFICATION_SETTINGS);
    expect(h.errors).toMatchObject({ threshold: 0.01, healthy: 0.005, failing: 0.02 });
    expect(h.errors.upper).toBeCloseTo(Math.log(200), 12);
    expect(h.errors.lower).toBeCloseTo(-Math.log(200), 12);
    expect(h.latency.healthy).toBeCloseTo(0.025, 12);
    expect(h.latency.failing).toBeCloseTo(0.1, 12);
    // A perfect record proves "healthy" only after this many requests: the arithmetic of thin traffic.
    expect(minRequestsForHealthy(h.errors)).toBe(263); // 0.98^263 ≤ 0.005 < 0.98^262
    expect(minRequestsForHealthy(h.latency)).toBe(51);
  });

  it('rejects settings that make no test', () => {
    expect(() => verificationSettings({ errorRateMax: 0.6 })).toThrow(/must stay below 1/);
    expect(() => verificationSettings({ healthyRatio: 1 })).toThrow(/healthyRatio/);
    expect(() => verificationSettings({ falseRollbackMax: 0 })).toThrow(/falseRollbackMax/);
    expect(verificationSettings({ failingRatio: 3 }).failingRatio).toBe(3);
  });
});

describe('ratio test against the baseline', () => {
  it('is the conditional binomial test of two Poisson counts', () => {
    expect(ratioTestPValue(3, 100, 0, 100, 1)).toBeCloseTo(0.125, 12); // all 3 events in the new half: 0.5³
    expect(ratioTestPValue(0, 100, 0, 100, 1.5)).toBe(1);
    expect(ratioTestPValue(5, 0, 1, 100, 1.5)).toBeNull();
    expect(ratioTestPValue(15, 1500, 1, 1500, 1.5)).toBeCloseTo(pmfSum(15, 16, 16, 0.6), 12);
  });
});

describe('latency model', () => {
  it('a lognormal whose P95 is the configured one', () => {
    expect(slowFraction(2000, 2000)).toBeCloseTo(0.05, 6);
    expect(slowFraction(1500, 2000, 0.8)).toBeCloseTo(1 - normalCdf(Math.log(4 / 3) / 0.8 + Z_95), 9);
    expect(Math.exp(lognormalMu(180, 0.8))).toBeCloseTo(180 / Math.exp(0.8 * Z_95), 9);
  });
});

describe('percent', () => {
  it.each([
    [0.0412, '4.1'],
    [0.01, '1'],
    [0.002, '0.2'],
    [0.0069, '0.69'],
    [0.00004, '0.004'],
    [0, '0'],
    [1, '100'],
  ])('%s → %s', (x, text) => expect(percent(x)).toBe(text));
});
