/**
 * The evenly spread, deterministic traffic mode: numbers computed arithmetically (no per-request
 * loop, no randomness), so a test can assert exact counts, failures, slow requests and P95 for any
 * window.
 *
 * Stream model, per profile segment starting at `since`: request n happens at since + n/rps;
 * request n fails when floor((n+1)·errorRate) > floor(n·errorRate) (evenly spread, exact rate);
 * its duration depends on n mod 20 — 19 ascending values ending at exactly p95Ms, then one slow
 * outlier — so the nearest-rank P95 over whole cycles is exactly p95Ms.
 */
import type { ProfileSegment } from './profile.js';

const CYCLE = 20;
const MILLION = 1_000_000n;

export function durationOf(residue: number, p95Ms: number): number {
  if (residue === CYCLE - 1) return round3(p95Ms * 2.5);
  return round3(p95Ms * (0.4 + (0.6 * residue) / (CYCLE - 2)));
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;
export const ceilDiv = (a: bigint, b: bigint) => (a <= 0n ? -(-a / b) : (a + b - 1n) / b);

export interface Tally {
  requests: bigint;
  failures: bigint;
  slow: bigint;
  /** Durations with how many requests had each. */
  weights: { duration: number; weight: bigint }[];
  /** Retained rows (count() rather than sum(ItemCount)): fewer than the requests under sampling. */
  rows: { requests: bigint; failures: bigint; slow: bigint };
}

export const emptyTally = (): Tally => ({
  requests: 0n,
  failures: 0n,
  slow: 0n,
  weights: [],
  rows: { requests: 0n, failures: 0n, slow: 0n },
});

/** Adds the requests of one segment in [lo, hi) (ms) to the tally. */
export function tallyEven(t: Tally, seg: ProfileSegment, lo: number, hi: number, slowAboveMs: number | undefined): void {
  const rpsMilli = BigInt(Math.round(seg.rps * 1000));
  const since = BigInt(seg.since.getTime());
  // Request n is at since + n·1e6/rpsMilli ms: the n in [lo, hi) form one integer range.
  const n0 = ceilDiv((BigInt(lo) - since) * rpsMilli, MILLION);
  const n1 = ceilDiv((BigInt(hi) - since) * rpsMilli, MILLION);
  if (n1 <= n0) return;
  const ppm = BigInt(Math.round(seg.errorRate * 1_000_000));
  const failures = (n1 * ppm) / MILLION - (n0 * ppm) / MILLION;
  let slow = 0n;
  for (let r = 0; r < CYCLE; r++) {
    const weight = countResidue(n0, n1, BigInt(r));
    if (weight === 0n) continue;
    const duration = durationOf(r, seg.p95Ms);
    t.weights.push({ duration, weight });
    if (slowAboveMs !== undefined && duration > slowAboveMs) slow += weight;
  }
  // Every request is its own row (ItemCount 1): even traffic is never sampled.
  for (const c of [t, t.rows]) {
    c.requests += n1 - n0;
    c.failures += failures;
    c.slow += slow;
  }
}

/** How many n in [n0, n1) have n ≡ r (mod 20). */
function countResidue(n0: bigint, n1: bigint, r: bigint): bigint {
  const c = BigInt(CYCLE);
  const upTo = (n: bigint) => (n <= r ? 0n : (n - r - 1n) / c + 1n); // count in [0, n)
  return upTo(n1) - upTo(n0);
}

/** Nearest-rank percentile of weighted values: the smallest value covering ceil(p% of total). */
export function nearestRank(values: { duration: number; weight: bigint }[], total: bigint, p: number): number | null {
  if (total === 0n) return null;
  const rank = ceilDiv(total * BigInt(p), 100n);
  let seen = 0n;
  for (const v of [...values].sort((a, b) => a.duration - b.duration)) {
    seen += v.weight;
    if (seen >= rank) return v.duration;
  }
  return null;
}
