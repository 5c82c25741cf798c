/** The simulated telemetry's arithmetic against a brute-force walk of the same request stream. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { durationOf, TelemetrySimulation, type TrafficProfile } from '../../../src/sandbox/monitor/simulation.js';
import { parseTimespan } from '../../../src/sandbox/monitor/query-shape.js';

const T0 = new Date('2026-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const HEALTHY: TrafficProfile = { rps: 5, errorRate: 0.002, p95Ms: 180 };
/** Even traffic is never sampled: every request is its own retained row. */
const unsampled = (m: { requests: number; failures: number; p95Ms: number | null }) => ({
  ...m,
  retained: { requests: m.requests, failures: m.failures },
});

/** Walk every request of one segment in [lo, hi): the definition the arithmetic must equal. */
function bruteForce(p: TrafficProfile, since: number, lo: number, hi: number) {
  const durations: number[] = [];
  let failures = 0;
  for (let n = 0; ; n++) {
    const t = since + (n * 1000) / p.rps;
    if (t >= hi) break;
    if (t < lo) continue;
    durations.push(durationOf(n % 20, p.p95Ms));
    if (Math.floor((n + 1) * p.errorRate + 1e-9) > Math.floor(n * p.errorRate + 1e-9)) failures++;
  }
  durations.sort((a, b) => a - b);
  const p95 = durations.length ? durations[Math.ceil(durations.length * 0.95) - 1]! : null;
  return { requests: durations.length, failures, p95Ms: p95 };
}

describe('TelemetrySimulation', () => {
  it('gives exact numbers for whole windows: 5 rps × 300 s, 0.2 % errors, P95 180 ms', () => {
    const sim = new TelemetrySimulation({ mode: 'even' });
    sim.setProfile('tailspin-server', HEALTHY, T0);
    expect(sim.measure({ role: 'tailspin-server', from: at(3_600_000), to: at(3_900_000) })).toEqual(
      unsampled({
        requests: 1500,
        failures: 3,
        p95Ms: 180,
      }),
    );
  });

  it('a profile set at deploy time changes only windows after it', () => {
    const sim = new TelemetrySimulation({ mode: 'even' });
    sim.setProfile('tailspin-server', HEALTHY, T0);
    const deploy = 3_600_000;
    sim.setProfile('tailspin-server', { rps: 5, errorRate: 0.05, p95Ms: 2500 }, at(deploy));
    expect(sim.measure({ role: 'tailspin-server', from: at(deploy - 300_000), to: at(deploy) })).toEqual(
      unsampled({
        requests: 1500,
        failures: 3,
        p95Ms: 180,
      }),
    );
    expect(sim.measure({ role: 'tailspin-server', from: at(deploy), to: at(deploy + 300_000) })).toEqual(
      unsampled({
        requests: 1500,
        failures: 75,
        p95Ms: 2500,
      }),
    );
    // Straddling the deploy: 750 healthy (2 failures) + 750 bad (37 failures); rank 1425 falls on the bad r=17 duration.
    expect(sim.measure({ role: 'tailspin-server', from: at(deploy - 150_000), to: at(deploy + 150_000) })).toEqual(
      unsampled({
        requests: 1500,
        failures: 39,
        p95Ms: 2416.667,
      }),
    );
  });

  it('no traffic: zero requests and no P95 (unknown role, before the first profile, rps 0)', () => {
    const sim = new TelemetrySimulation({ mode: 'even' });
    sim.setProfile('quiet', { rps: 0, errorRate: 0, p95Ms: 100 }, T0);
    sim.setProfile('later', HEALTHY, at(600_000));
    const none = unsampled({ requests: 0, failures: 0, p95Ms: null });
    expect(sim.measure({ role: 'nobody', from: T0, to: at(300_000) })).toEqual(none);
    expect(sim.measure({ role: 'quiet', from: T0, to: at(300_000) })).toEqual(none);
    expect(sim.measure({ role: 'later', from: T0, to: at(300_000) })).toEqual(none);
  });

  it('filters on version; a profile without a version answers any version', () => {
    const sim = new TelemetrySimulation({ mode: 'even' });
    sim.setProfile('svc', { ...HEALTHY, version: 'v1' }, T0);
    sim.setProfile('svc', { ...HEALTHY, errorRate: 0.1, version: 'v2' }, at(300_000));
    sim.setProfile('any', HEALTHY, T0);
    const w = { from: T0, to: at(600_000) };
    expect(sim.measure({ role: 'svc', version: 'v2', ...w })).toEqual(unsampled({ requests: 1500, failures: 150, p95Ms: 180 }));
    expect(sim.measure({ role: 'svc', version: 'v3', ...w }).requests).toBe(0);
    expect(sim.measure({ role: 'svc', ...w }).requests).toBe(3000);
    expect(sim.measure({ role: 'any', version: 'whatever', ...w }).requests).toBe(3000);
  });

  it('equals a brute-force walk of the stream for arbitrary profiles and windows', () => {
    fc.assert(
      fc.property(
        fc.record({
          rps: fc.integer({ min: 1, max: 40_000 }).map((x) => x / 1000),
          errorRate: fc.integer({ min: 0, max: 1000 }).map((x) => x / 1000),
          p95Ms: fc.integer({ min: 1, max: 5000 }),
        }),
        fc.integer({ min: 0, max: 400_000 }),
        fc.integer({ min: 1, max: 400_000 }),
        (p, lo, span) => {
          const sim = new TelemetrySimulation({ mode: 'even' });
          sim.setProfile('r', p, T0);
          expect(sim.measure({ role: 'r', from: at(lo), to: at(lo + span) })).toEqual(
            unsampled(bruteForce(p, T0.getTime(), T0.getTime() + lo, T0.getTime() + lo + span)),
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  it("replaceLater rewrites a role's history from a moment on: later profiles are dropped", () => {
    const sim = new TelemetrySimulation({ mode: 'even' });
    sim.setProfile('svc', HEALTHY, T0);
    sim.setProfile('svc', { ...HEALTHY, errorRate: 0.5 }, at(600_000));
    sim.setProfile('svc', HEALTHY, at(300_000));
    expect(sim.measure({ role: 'svc', from: at(600_000), to: at(900_000) }).failures).toBe(750);
    sim.setProfile('svc', HEALTHY, at(300_000), { replaceLater: true });
    expect(sim.measure({ role: 'svc', from: at(600_000), to: at(900_000) }).failures).toBe(3);
    expect(sim.snapshot().svc?.map((s) => s.since)).toEqual([T0, at(300_000)]);
  });

  it('rejects impossible profiles', () => {
    const sim = new TelemetrySimulation({ mode: 'even' });
    expect(() => sim.setProfile('r', { rps: -1, errorRate: 0, p95Ms: 1 }, T0)).toThrow(RangeError);
    expect(() => sim.setProfile('r', { rps: 1, errorRate: 1.5, p95Ms: 1 }, T0)).toThrow(RangeError);
  });
});

describe('parseTimespan', () => {
  const now = new Date('2026-01-01T12:00:00.000Z');
  it.each([
    ['2026-01-01T10:00:00.000Z/2026-01-01T10:05:00.000Z', '2026-01-01T10:00:00.000Z', '2026-01-01T10:05:00.000Z'],
    ['PT5M', '2026-01-01T11:55:00.000Z', '2026-01-01T12:00:00.000Z'],
    ['2026-01-01T10:00:00.000Z/PT1H', '2026-01-01T10:00:00.000Z', '2026-01-01T11:00:00.000Z'],
    ['P1D/2026-01-01T10:00:00.000Z', '2025-12-31T10:00:00.000Z', '2026-01-01T10:00:00.000Z'],
  ])('%s', (text, f, t) => {
    expect(parseTimespan(text, now)).toEqual({ from: new Date(f), to: new Date(t) });
  });
  it('rejects garbage', () => {
    expect(parseTimespan('yesterday', now)).toBeUndefined();
    expect(parseTimespan('PT', now)).toBeUndefined();
  });
});
