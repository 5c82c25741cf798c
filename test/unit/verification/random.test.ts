/** The seeded random source: reproducible, and its Poisson variates follow the Poisson law. */
import { describe, expect, it } from 'vitest';
import { createRng, hashSeed, logFactorial, poisson, standardNormal } from '../../../src/services/verification/random.js';

const draw = (seed: number | string, n: number) => {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => rng.next());
};

describe('createRng', () => {
  it('is reproducible for a seed and differs between seeds', () => {
    expect(draw(42, 50)).toEqual(draw(42, 50));
    expect(draw('release-7', 20)).toEqual(draw('release-7', 20));
    expect(draw(42, 20)).not.toEqual(draw(43, 20));
    expect(hashSeed('a', 1)).not.toBe(hashSeed('a1'));
  });

  it('stays in [0, 1) and is roughly uniform', () => {
    const xs = draw(7, 100_000);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const buckets = new Array<number>(10).fill(0);
    for (const x of xs) buckets[Math.floor(x * 10)]!++;
    for (const b of buckets) expect(Math.abs(b - 10_000)).toBeLessThan(500); // > 5 σ
  });
});

/** Chi-square of `n` Poisson(mean) draws against the exact pmf, cells with ≥ 5 expected counts. */
function chiSquare(mean: number, n: number, seed: number): { stat: number; cells: number; sampleMean: number; sampleVar: number } {
  const rng = createRng(seed);
  const counts = new Map<number, number>();
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < n; i++) {
    const k = poisson(rng, mean);
    counts.set(k, (counts.get(k) ?? 0) + 1);
    sum += k;
    sumSq += k * k;
  }
  const pmf = (k: number) => Math.exp(-mean + k * Math.log(mean) - logFactorial(k));
  let stat = 0;
  let cells = 0;
  let restObserved = n;
  let restExpected = n;
  for (let k = 0; k <= mean * 3 + 20; k++) {
    const e = n * pmf(k);
    if (e < 5) continue;
    const o = counts.get(k) ?? 0;
    stat += (o - e) ** 2 / e;
    restObserved -= o;
    restExpected -= e;
    cells++;
  }
  stat += (restObserved - restExpected) ** 2 / Math.max(restExpected, 1e-9); // everything else as one cell
  const sampleMean = sum / n;
  return { stat, cells, sampleMean, sampleVar: sumSq / n - sampleMean ** 2 };
}

describe('poisson', () => {
  it.each([0.4, 3, 9.9, 10, 37.5, 150, 3000])('mean %s: chi-square fit to the exact pmf, mean and variance', (mean) => {
    const n = 40_000;
    const r = chiSquare(mean, n, Math.round(mean * 1000));
    // Critical value at p = 0.001 for `cells` degrees of freedom (Wilson–Hilferty), fixed seed: a fit, not luck.
    const df = r.cells;
    const critical = df * (1 - 2 / (9 * df) + 3.09 * Math.sqrt(2 / (9 * df))) ** 3;
    expect(r.stat).toBeLessThan(critical);
    expect(Math.abs(r.sampleMean - mean)).toBeLessThan(4 * Math.sqrt(mean / n));
    expect(r.sampleVar / mean).toBeGreaterThan(0.95);
    expect(r.sampleVar / mean).toBeLessThan(1.05);
  });

  it('no traffic is no requests', () => {
    expect(poisson(createRng(1), 0)).toBe(0);
  });
});

describe('helpers', () => {
  it('logFactorial matches the direct sum on both sides of the table', () => {
    for (const k of [0, 1, 10, 255, 256, 300, 1000]) {
      let direct = 0;
      for (let i = 2; i <= k; i++) direct += Math.log(i);
      expect(logFactorial(k)).toBeCloseTo(direct, 8);
    }
  });

  it('standardNormal has mean 0 and variance 1', () => {
    const rng = createRng(3);
    const xs = Array.from({ length: 50_000 }, () => standardNormal(rng));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(variance - 1)).toBeLessThan(0.03);
  });
});
