/** Textbook formulas the decision rule and its explanations need; pure and dependency-free. */
import { logFactorial } from './random.js';

/** z for a two-sided 95 % interval. */
export const Z_975 = 1.959963984540054;
/** z of the 95th percentile: a lognormal with P95 = x has median x / e^(σ·Z_95). */
export const Z_95 = 1.6448536269514722;

/** Complementary error function (Numerical Recipes' erfcc, relative error < 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Standard normal CDF. */
export const normalCdf = (z: number): number => 0.5 * erfc(-z / Math.SQRT2);

/**
 * Wilson score interval for x successes in n trials (95 % by default). Shown to people beside a
 * rate; the decision itself is the sequential test, not this interval.
 */
export function wilson(x: number, n: number, z = Z_975): { low: number; high: number } | null {
  if (n <= 0) return null;
  const p = x / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  // At x = 0 (or n) the bound is exactly 0 (or 1); the formula would leave rounding dust.
  return { low: x <= 0 ? 0 : Math.max(0, centre - half), high: x >= n ? 1 : Math.min(1, centre + half) };
}

/** ln P(X = i) for X ~ Binomial(n, p), 0 < p < 1. */
const logPmf = (i: number, n: number, lp: number, lq: number) =>
  logFactorial(n) - logFactorial(i) - logFactorial(n - i) + i * lp + (n - i) * lq;

/**
 * Σ P(X = i) from `from` stepping by `step` (±1) to `to`, exactly in log space; stops once the terms,
 * which shrink monotonically away from the mode, no longer change the sum.
 */
function tailSum(from: number, to: number, step: 1 | -1, n: number, p: number): number {
  const lp = Math.log(p);
  const lq = Math.log1p(-p);
  let sum = 0;
  for (let i = from; step > 0 ? i <= to : i >= to; i += step) {
    const term = Math.exp(logPmf(i, n, lp, lq));
    sum += term;
    const pastMode = step > 0 ? i > (n + 1) * p : i < (n + 1) * p - 1;
    if (pastMode && term < sum * 1e-17) break;
  }
  return Math.min(1, sum);
}

/** P(X ≥ x) for X ~ Binomial(n, p). */
export function binomialUpperTail(x: number, n: number, p: number): number {
  if (x <= 0) return 1;
  if (x > n || p <= 0) return 0;
  if (p >= 1) return 1;
  // Sum the smaller side: below the mean the upper tail is 1 − the lower one.
  return x > n * p ? tailSum(x, n, 1, n, p) : 1 - tailSum(x - 1, 0, -1, n, p);
}

/** P(X ≤ x) for X ~ Binomial(n, p). */
export function binomialLowerTail(x: number, n: number, p: number): number {
  if (x >= n) return 1;
  if (x < 0 || p >= 1) return 0;
  if (p <= 0) return 1;
  return x < n * p ? tailSum(x, 0, -1, n, p) : 1 - tailSum(x + 1, n, 1, n, p);
}
