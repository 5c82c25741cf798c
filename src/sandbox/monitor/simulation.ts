/**
 * Simulated request telemetry: one request stream per role, piecewise by profile, so a "bad
 * release" profile set at deploy time changes only windows after it. Two modes:
 *  - random (default): Poisson arrivals, independent failures, lognormal latency with a tail —
 *    seeded, so the same seed gives the same requests (random-traffic.ts);
 *  - even: deterministic and evenly spread, for tests that assert exact numbers (even-traffic.ts).
 */
import { emptyTally, nearestRank, tallyEven } from './even-traffic.js';
import { RANDOM_MAX_RPS, tallyRandom } from './random-traffic.js';

export { durationOf } from './even-traffic.js';

export type TrafficMode = 'random' | 'even';
export const TRAFFIC_MODES: readonly TrafficMode[] = ['random', 'even'];

export type { ProfileSegment, TrafficProfile } from './profile.js';
import type { ProfileSegment, TrafficProfile } from './profile.js';

export interface Measurement {
  requests: number;
  failures: number;
  p95Ms: number | null;
  /** Requests slower than the query's slowAboveMs, when it asked. */
  slow?: number;
  /** The same in retained rows (count()/countif(), not weighted by ItemCount). */
  retained: { requests: number; failures: number; slow?: number };
}

export interface MeasureQuery {
  role: string;
  version?: string | undefined;
  from: Date;
  to: Date;
  slowAboveMs?: number | undefined;
}

export function validateProfile(p: TrafficProfile, mode: TrafficMode = 'even'): string | undefined {
  const maxRps = mode === 'random' ? RANDOM_MAX_RPS : 100_000;
  if (!Number.isFinite(p.rps) || p.rps < 0 || p.rps > maxRps) return `rps must be between 0 and ${maxRps}`;
  if (!Number.isFinite(p.errorRate) || p.errorRate < 0 || p.errorRate > 1) return 'errorRate must be between 0 and 1';
  if (!Number.isFinite(p.p95Ms) || p.p95Ms <= 0 || p.p95Ms > 3_600_000) return 'p95Ms must be positive';
  if (p.latencySigma !== undefined && !(Number.isFinite(p.latencySigma) && p.latencySigma > 0 && p.latencySigma <= 5))
    return 'latencySigma must be in (0, 5]';
  if (p.itemCount !== undefined && !(Number.isInteger(p.itemCount) && p.itemCount >= 1 && p.itemCount <= 1000))
    return 'itemCount must be an integer from 1 to 1000';
  if (mode === 'even' && (p.itemCount ?? 1) !== 1) return 'itemCount (sampling) needs random traffic';
  return undefined;
}

export class TelemetrySimulation {
  private readonly segments = new Map<string, ProfileSegment[]>();
  private mode: TrafficMode;
  private seed: string | number;

  constructor(opts: { mode?: TrafficMode; seed?: string | number } = {}) {
    this.mode = opts.mode ?? 'random';
    this.seed = opts.seed ?? 'tailspin';
  }

  /** Switch the traffic mode (and seed); profiles stay. Fails when a profile does not fit the mode. */
  setTraffic(mode: TrafficMode, seed: string | number = this.seed): void {
    for (const list of this.segments.values()) {
      for (const seg of list) {
        const problem = validateProfile(seg, mode);
        if (problem) throw new RangeError(problem);
      }
    }
    this.mode = mode;
    this.seed = seed;
  }

  traffic(): { mode: TrafficMode; seed: string | number } {
    return { mode: this.mode, seed: this.seed };
  }

  /**
   * From `since` on, `role` serves traffic shaped by `profile` — until a later profile, or, with
   * `replaceLater`, for good: later profiles are dropped (rewriting history from `since`).
   */
  setProfile(role: string, profile: TrafficProfile, since: Date, opts: { replaceLater?: boolean } = {}): void {
    const problem = validateProfile(profile, this.mode);
    if (problem) throw new RangeError(problem);
    const at = since.getTime();
    const list = (this.segments.get(role) ?? []).filter((s) => (opts.replaceLater ? s.since.getTime() < at : s.since.getTime() !== at));
    list.push({ ...profile, since: new Date(since.getTime()) });
    list.sort((a, b) => a.since.getTime() - b.since.getTime());
    this.segments.set(role, list);
  }

  snapshot(): Record<string, ProfileSegment[]> {
    return Object.fromEntries([...this.segments].map(([role, list]) => [role, list.map((s) => ({ ...s }))]));
  }

  /** The same numbers the KQL summary would give over AppRequests in [from, to). */
  measure(q: MeasureQuery): Measurement {
    const list = this.segments.get(q.role) ?? [];
    const t = emptyTally();
    list.forEach((seg, i) => {
      if (q.version !== undefined && seg.version !== undefined && seg.version !== q.version) return;
      const end = list[i + 1]?.since.getTime() ?? Number.POSITIVE_INFINITY;
      const lo = Math.max(q.from.getTime(), seg.since.getTime());
      const hi = Math.min(q.to.getTime(), end);
      if (hi <= lo || seg.rps === 0) return;
      if (this.mode === 'even') tallyEven(t, seg, lo, hi, q.slowAboveMs);
      else tallyRandom(t, seg, lo, hi, { seed: this.seed, role: q.role, slowAboveMs: q.slowAboveMs });
    });
    return {
      requests: Number(t.requests),
      failures: Number(t.failures),
      p95Ms: nearestRank(t.weights, t.requests, 95),
      ...(q.slowAboveMs !== undefined ? { slow: Number(t.slow) } : {}),
      retained: {
        requests: Number(t.rows.requests),
        failures: Number(t.rows.failures),
        ...(q.slowAboveMs !== undefined ? { slow: Number(t.rows.slow) } : {}),
      },
    };
  }
}
