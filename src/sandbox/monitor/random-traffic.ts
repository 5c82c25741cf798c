/**
 * The random traffic mode: every request drawn, reproducibly. Time is cut into one-second buckets
 * from each profile segment's start; a bucket's requests come from its own generator, seeded by
 * (seed, role, segment, bucket), so any window — overlapping, cumulative, asked twice — sees the
 * same requests. Poisson arrivals, each request failing independently with the profile's error
 * rate, lognormal durations whose true 95th percentile is the profile's p95Ms (the model
 * verify-plan simulates, src/services/verification/traffic.ts).
 */
import { createRng, hashSeed, poisson, standardNormal } from '../../services/verification/random.js';
import { DEFAULT_LATENCY_SIGMA, lognormalMu } from '../../services/verification/traffic.js';
import type { ProfileSegment } from './profile.js';
import type { Tally } from './even-traffic.js';

const BUCKET_MS = 1000;
/** Random traffic is generated request by request: keep a query's work bounded. */
export const RANDOM_MAX_RPS = 2000;

export function tallyRandom(
  t: Tally,
  seg: ProfileSegment,
  lo: number,
  hi: number,
  ctx: { seed: string | number; role: string; slowAboveMs: number | undefined },
): void {
  const since = seg.since.getTime();
  const sigma = seg.latencySigma ?? DEFAULT_LATENCY_SIGMA;
  const mu = lognormalMu(seg.p95Ms, sigma);
  const first = Math.floor((lo - since) / BUCKET_MS);
  const last = Math.ceil((hi - since) / BUCKET_MS);
  const itemCount = seg.itemCount ?? 1;
  const weight = BigInt(itemCount);
  for (let b = Math.max(0, first); b < last; b++) {
    const rng = createRng(hashSeed(ctx.seed, ctx.role, since, b));
    const start = since + b * BUCKET_MS;
    const n = poisson(rng, (seg.rps * BUCKET_MS) / 1000);
    for (let i = 0; i < n; i++) {
      // Draw every field of every request, inside the window or not, so the stream never shifts.
      const at = start + rng.next() * BUCKET_MS;
      const failed = rng.next() < seg.errorRate;
      const duration = Math.round(Math.exp(mu + sigma * standardNormal(rng)) * 1000) / 1000;
      // Fixed-rate sampling keeps 1 request in itemCount, each kept row standing for itemCount.
      const kept = itemCount === 1 || rng.next() * itemCount < 1;
      if (at < lo || at >= hi || !kept) continue;
      const slow = ctx.slowAboveMs !== undefined && duration > ctx.slowAboveMs;
      t.requests += weight;
      t.rows.requests++;
      if (failed) {
        t.failures += weight;
        t.rows.failures++;
      }
      if (slow) {
        t.slow += weight;
        t.rows.slow++;
      }
      t.weights.push({ duration, weight });
    }
  }
}
