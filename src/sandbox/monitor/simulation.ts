/**
 * Simulated request telemetry: one deterministic request stream per role, piecewise by profile.
 * Numbers are computed arithmetically (no per-request loop, no randomness), so a test can assert
 * exact counts, failures and P95 for any window, and a "bad release" profile set at deploy time
 * changes only windows after it.
 *
 * Stream model, per profile segment starting at `since`: request n happens at since + n/rps;
 * request n fails when floor((n+1)·errorRate) > floor(n·errorRate) (evenly spread, exact rate);
 * its duration depends on n mod 20 — 19 ascending values ending at exactly p95Ms, then one slow
 * outlier — so the nearest-rank P95 over whole cycles is exactly p95Ms.
 */
export interface TrafficProfile {
  /** Requests per second (resolution 0.001). 0 = no traffic. */
  rps: number;
  /** Fraction of failed requests, 0..1 (resolution 1e-6). */
  errorRate: number;
  p95Ms: number;
  /**
   * AppVersion carried by the requests. Absent = the stream reports whatever version is asked for
   * (the sandbox cannot know which image the deployer rolls out), so it matches every version filter.
   */
  version?: string;
}

export interface ProfileSegment extends TrafficProfile {
  since: Date;
}

export interface Measurement {
  requests: number;
  failures: number;
  p95Ms: number | null;
}

const CYCLE = 20;
const MILLION = 1_000_000n;

export function durationOf(residue: number, p95Ms: number): number {
  if (residue === CYCLE - 1) return round3(p95Ms * 2.5);
  return round3(p95Ms * (0.4 + (0.6 * residue) / (CYCLE - 2)));
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;
const ceilDiv = (a: bigint, b: bigint) => (a <= 0n ? -(-a / b) : (a + b - 1n) / b);

export function validateProfile(p: TrafficProfile): string | undefined {
  if (!Number.isFinite(p.rps) || p.rps < 0 || p.rps > 100_000) return 'rps must be between 0 and 100000';
  if (!Number.isFinite(p.errorRate) || p.errorRate < 0 || p.errorRate > 1) return 'errorRate must be between 0 and 1';
  if (!Number.isFinite(p.p95Ms) || p.p95Ms <= 0 || p.p95Ms > 3_600_000) return 'p95Ms must be positive';
  return undefined;
}

export class TelemetrySimulation {
  private readonly segments = new Map<string, ProfileSegment[]>();

  /** From `since` on, `role` serves traffic shaped by `profile` (until a later profile). */
  setProfile(role: string, profile: TrafficProfile, since: Date): void {
    const problem = validateProfile(profile);
    if (problem) throw new RangeError(problem);
    const list = (this.segments.get(role) ?? []).filter((s) => s.since.getTime() !== since.getTime());
    list.push({ ...profile, since: new Date(since.getTime()) });
    list.sort((a, b) => a.since.getTime() - b.since.getTime());
    this.segments.set(role, list);
  }

  snapshot(): Record<string, ProfileSegment[]> {
    return Object.fromEntries([...this.segments].map(([role, list]) => [role, list.map((s) => ({ ...s }))]));
  }

  /** The same numbers the KQL summary would give over AppRequests in [from, to). */
  measure(q: { role: string; version?: string | undefined; from: Date; to: Date }): Measurement {
    const list = this.segments.get(q.role) ?? [];
    let requests = 0n;
    let failures = 0n;
    const weights: { duration: number; weight: bigint }[] = [];
    list.forEach((seg, i) => {
      if (q.version !== undefined && seg.version !== undefined && seg.version !== q.version) return;
      const end = list[i + 1]?.since.getTime() ?? Number.POSITIVE_INFINITY;
      const lo = Math.max(q.from.getTime(), seg.since.getTime());
      const hi = Math.min(q.to.getTime(), end);
      if (hi <= lo || seg.rps === 0) return;
      const rpsMilli = BigInt(Math.round(seg.rps * 1000));
      const since = BigInt(seg.since.getTime());
      // Request n is at since + n·1e6/rpsMilli ms: the n in [lo, hi) form one integer range.
      const n0 = ceilDiv((BigInt(lo) - since) * rpsMilli, MILLION);
      const n1 = ceilDiv((BigInt(hi) - since) * rpsMilli, MILLION);
      if (n1 <= n0) return;
      const ppm = BigInt(Math.round(seg.errorRate * 1_000_000));
      requests += n1 - n0;
      failures += (n1 * ppm) / MILLION - (n0 * ppm) / MILLION;
      for (let r = 0; r < CYCLE; r++) {
        const weight = countResidue(n0, n1, BigInt(r));
        if (weight > 0n) weights.push({ duration: durationOf(r, seg.p95Ms), weight });
      }
    });
    return { requests: Number(requests), failures: Number(failures), p95Ms: nearestRank(weights, requests, 95) };
  }
}

/** How many n in [n0, n1) have n ≡ r (mod 20). */
function countResidue(n0: bigint, n1: bigint, r: bigint): bigint {
  const c = BigInt(CYCLE);
  const upTo = (n: bigint) => (n <= r ? 0n : (n - r - 1n) / c + 1n); // count in [0, n)
  return upTo(n1) - upTo(n0);
}

/** Nearest-rank percentile of weighted values: the smallest value covering ceil(p% of total). */
function nearestRank(values: { duration: number; weight: bigint }[], total: bigint, p: number): number | null {
  if (total === 0n) return null;
  const rank = ceilDiv(total * BigInt(p), 100n);
  let seen = 0n;
  for (const v of [...values].sort((a, b) => a.duration - b.duration)) {
    seen += v.weight;
    if (seen >= rank) return v.duration;
  }
  return null;
}
