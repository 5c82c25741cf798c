/**
 * The rule's error rates, measured by seeded Monte Carlo over the production decision code.
 * Property tests: for any settings and traffic, a release at the healthy rate is rolled back in at
 * most α of runs and one at the failing rate passes as healthy in at most β (with a sampling
 * tolerance). Then the targets at production defaults.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DEFAULT_VERIFICATION_SETTINGS as S,
  verificationSettings,
  type VerificationSettings,
} from '../../../src/services/verification/index.js';
import { monteCarlo, sampleTimes, simulateRun } from '../../../src/services/verification/simulate.js';
import { gridReleases, suggestWindow } from '../../../src/services/verification/plan.js';
import { createRng } from '../../../src/services/verification/random.js';

const PLAN = { windowS: 300, intervalS: 30 };
/** Largest count of a Binomial(n, p) we accept: mean + 3.5 σ + 1 (one-sided, about 2e-4 by chance). */
const ceiling = (p: number, n: number) => (p * n + 3.5 * Math.sqrt(n * p * (1 - p)) + 1) / n;

const settingsArb = fc.record({
  errorRateMax: fc.constantFrom(0.005, 0.01, 0.02, 0.05),
  healthyRatio: fc.constantFrom(0.3, 0.5, 0.7),
  failingRatio: fc.constantFrom(1.5, 2, 3),
  falseRollbackMax: fc.constantFrom(0.01, 0.05),
  missedBreachMax: fc.constantFrom(0.01, 0.05),
});
const planArb = fc.record({ windowS: fc.constantFrom(60, 300, 600), intervalS: fc.constantFrom(10, 30, 45) });

describe('simulation mechanics', () => {
  it('samples every interval and at the window end', () => {
    expect(sampleTimes({ windowS: 300, intervalS: 30 })).toEqual([30, 60, 90, 120, 150, 180, 210, 240, 270, 300]);
    expect(sampleTimes({ windowS: 100, intervalS: 45 })).toEqual([45, 90, 100]);
    expect(sampleTimes({ windowS: 60, intervalS: 30 }, 60)).toEqual([90, 120]);
  });

  it('is reproducible for a seed', () => {
    const a = monteCarlo({ rps: 5, errorRate: 0.01, p95Ms: 500 }, PLAN, S, { runs: 300, seed: 9 });
    const b = monteCarlo({ rps: 5, errorRate: 0.01, p95Ms: 500 }, PLAN, S, { runs: 300, seed: 9 });
    expect(a).toEqual(b);
    expect(monteCarlo({ rps: 5, errorRate: 0.01, p95Ms: 500 }, PLAN, S, { runs: 300, seed: 10 })).not.toEqual(a);
  });

  it('an inconclusive run is extended once, as the inconclusive policy does', () => {
    const r = simulateRun({ rps: 1, errorRate: 0.01, p95Ms: 500 }, PLAN, S, createRng(4));
    expect(r.outcome).toBe('inconclusive');
    expect(r.extended?.atS).toBeGreaterThan(300);
    expect(r.extended?.atS).toBeLessThanOrEqual(600);
  });
});

describe('error rates are bounded for any settings (property, seeded)', () => {
  const RUNS = 600;

  it('false rollback at the healthy rate ≤ α (errors)', () => {
    fc.assert(
      fc.property(settingsArb, planArb, fc.double({ min: 0.5, max: 40, noNaN: true }), fc.nat(), (input, plan, rps, seed) => {
        const s: VerificationSettings = verificationSettings(input);
        const r = monteCarlo({ rps, errorRate: s.healthyRatio * s.errorRateMax, p95Ms: 100 }, plan, s, { runs: RUNS, seed });
        expect(r.breach).toBeLessThanOrEqual(ceiling(s.falseRollbackMax, RUNS));
      }),
      { seed: 20261201, numRuns: 12 },
    );
  }, 120_000);

  it('false rollback at the healthy share of slow requests ≤ α (latency)', () => {
    fc.assert(
      fc.property(settingsArb, fc.double({ min: 0.5, max: 40, noNaN: true }), fc.nat(), (input, rps, seed) => {
        const s = verificationSettings({ ...input, errorRateMax: 0.01 });
        // Find the P95 whose lognormal puts exactly healthyRatio × 5 % above the threshold: P95 = threshold · e^(σ(z95 − z)).
        const share = s.healthyRatio * 0.05;
        const p95Ms = p95ForSlowShare(share, s.p95MsMax);
        const r = monteCarlo({ rps, errorRate: 0, p95Ms }, PLAN, s, { runs: RUNS, seed });
        expect(r.slowFraction).toBeCloseTo(share, 6);
        expect(r.breach).toBeLessThanOrEqual(ceiling(s.falseRollbackMax, RUNS));
      }),
      { seed: 7, numRuns: 8 },
    );
  }, 120_000);

  it('a failing release passes as healthy in ≤ β of runs', () => {
    fc.assert(
      fc.property(settingsArb, planArb, fc.double({ min: 0.5, max: 40, noNaN: true }), fc.nat(), (input, plan, rps, seed) => {
        const s = verificationSettings(input);
        const r = monteCarlo({ rps, errorRate: s.failingRatio * s.errorRateMax, p95Ms: 100 }, plan, s, { runs: RUNS, seed });
        expect(r.healthy).toBeLessThanOrEqual(ceiling(s.missedBreachMax, RUNS));
      }),
      { seed: 99, numRuns: 12 },
    );
  }, 120_000);
});

/** The P95 of a σ = 0.8 lognormal that has `share` of requests above thresholdMs. */
function p95ForSlowShare(share: number, thresholdMs: number): number {
  let lo = 1;
  let hi = thresholdMs * 10;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    const above = 1 - normalCdfApprox((Math.log(thresholdMs) - (Math.log(mid) - 0.8 * 1.6448536269514722)) / 0.8);
    if (above < share) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
/** Φ via the error function's series (test-side, independent of stats.ts). */
function normalCdfApprox(z: number): number {
  const x = z / Math.SQRT2;
  let sum = x;
  let term = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
  }
  return 0.5 + sum / Math.sqrt(Math.PI);
}

describe('the issue’s targets at production defaults (300 s window, 30 s samples, 1 %, P95 2 s)', () => {
  const RUNS = 2000;
  const mc = (rps: number, errorRate: number, p95Ms = 500) => monteCarlo({ rps, errorRate, p95Ms }, PLAN, S, { runs: RUNS, seed: 2026 });

  it.each([5, 20, 100])('%s rps: 0.5 % errors rolled back in ≤ 1 %, 2 % caught in ≥ 99 %, 5 % within one interval (median)', (rps) => {
    expect(mc(rps, 0.005).breach).toBeLessThanOrEqual(0.01);
    expect(mc(rps, 0.02).breach).toBeGreaterThanOrEqual(0.99);
    expect(mc(rps, 0.05).detection.medianS).toBe(30);
  });

  it.each([1, 5, 100])('%s rps: P95 1.5 s rolled back in ≤ 1 %, P95 3 s caught in ≥ 99 %', (rps) => {
    expect(mc(rps, 0, 1500).breach).toBeLessThanOrEqual(0.01);
    expect(mc(rps, 0, 3000).breach).toBeGreaterThanOrEqual(0.99);
  });

  it('1 rps cannot separate 0.5 % from 2 % in 300 requests: mostly inconclusive, rarely wrong', () => {
    const healthy = mc(1, 0.005);
    expect(healthy.breach).toBeLessThanOrEqual(0.01);
    expect(healthy.inconclusive).toBeGreaterThan(0.5);
    const failing = mc(1, 0.02);
    expect(failing.healthy).toBeLessThanOrEqual(0.01);
    expect(failing.breach + failing.inconclusive).toBeGreaterThanOrEqual(0.99);
  });
});

describe('planning helpers (verify-plan, bench)', () => {
  it('the grid holds healthy, borderline and failing releases, each varying one metric', () => {
    const rows = gridReleases(S, { rps: 5, runs: 1, seed: 1 });
    expect(rows.filter((r) => r.varies === 'errors').map((r) => r.traffic.errorRate)).toEqual([0.002, 0.005, 0.008, 0.01, 0.02, 0.05]);
    expect(rows.filter((r) => r.varies === 'latency').map((r) => r.traffic.p95Ms)).toEqual([1000, 1500, 2000, 3000, 4000]);
    expect(rows.every((r) => (r.varies === 'errors' ? r.traffic.p95Ms === 500 : r.traffic.errorRate === 0))).toBe(true);
    expect(gridReleases(S, { rps: 5, runs: 1, seed: 1, errorRate: 0.03, p95Ms: 900 })).toEqual([
      { traffic: { rps: 5, errorRate: 0.03, p95Ms: 900, latencySigma: undefined }, varies: 'both' },
    ]);
  });

  it('the suggested window is the shortest whole number of intervals that catches 2 × the threshold in 99 % of runs', () => {
    const w = suggestWindow(S, 30, { rps: 2, runs: 400, seed: 3 });
    expect(w.windowS).not.toBeNull();
    expect(w.windowS! % 30).toBe(0);
    expect(w.caught).toBeGreaterThanOrEqual(0.99);
    const shorter = monteCarlo({ rps: 2, errorRate: 0.02, p95Ms: 500 }, { windowS: w.windowS! - 30, intervalS: 30 }, S, {
      runs: 400,
      seed: 3,
    });
    expect(shorter.breach).toBeLessThan(0.99);
    expect(suggestWindow(S, 30, { rps: 100, runs: 200, seed: 3 }).windowS).toBe(30);
  });
});
