/**
 * The fake's random traffic: reproducible with a seed, consistent across any windows asked, and
 * drawn from the model it claims (Poisson rate, failure rate, lognormal P95, share slower than a
 * threshold). The even mode keeps exact numbers, slow requests included.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TelemetrySimulation, type TrafficProfile } from '../../../src/sandbox/monitor/simulation.js';
import { slowFraction } from '../../../src/services/verification/traffic.js';

const T0 = new Date('2026-01-01T00:00:00.000Z');
const at = (s: number) => new Date(T0.getTime() + s * 1000);
const HEALTHY: TrafficProfile = { rps: 5, errorRate: 0.002, p95Ms: 180 };

const sim = (seed: string | number = 'tailspin', profile = HEALTHY) => {
  const s = new TelemetrySimulation({ seed });
  s.setProfile('svc', profile, T0);
  return s;
};

describe('random traffic (the default)', () => {
  it('is reproducible: the same seed gives the same numbers, another seed others', () => {
    const q = { role: 'svc', from: at(600), to: at(900), slowAboveMs: 150 };
    expect(sim(42).measure(q)).toEqual(sim(42).measure(q));
    expect(new TelemetrySimulation().traffic()).toEqual({ mode: 'random', seed: 'tailspin' });
    const a = sim(1).measure(q);
    const b = sim(2).measure(q);
    expect([a.requests, a.failures, a.slow, a.p95Ms]).not.toEqual([b.requests, b.failures, b.slow, b.p95Ms]);
  });

  it('is one stream: adjacent windows add up to their union, and asking twice changes nothing', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 1, max: 600 }), fc.integer({ min: 1, max: 600 }), (lo, a, b) => {
        const s = sim('stream');
        const q = (from: number, to: number) => s.measure({ role: 'svc', from: at(from / 10), to: at(to / 10), slowAboveMs: 150 });
        const left = q(lo, lo + a);
        const right = q(lo + a, lo + a + b);
        const whole = q(lo, lo + a + b);
        expect(whole.requests).toBe(left.requests + right.requests);
        expect(whole.failures).toBe(left.failures + right.failures);
        expect(whole.slow).toBe((left.slow ?? 0) + (right.slow ?? 0));
        expect(q(lo, lo + a)).toEqual(left);
      }),
      { numRuns: 60, seed: 3 },
    );
  });

  it('draws from the model: Poisson count, failure rate, lognormal P95 and the share above a threshold', () => {
    const s = sim('model', { rps: 50, errorRate: 0.05, p95Ms: 1500, latencySigma: 0.8 });
    const m = s.measure({ role: 'svc', from: T0, to: at(3600), slowAboveMs: 2000 });
    const n = 50 * 3600;
    expect(Math.abs(m.requests - n)).toBeLessThan(4 * Math.sqrt(n));
    expect(Math.abs(m.failures / m.requests - 0.05)).toBeLessThan(4 * Math.sqrt((0.05 * 0.95) / m.requests));
    const q = slowFraction(1500, 2000, 0.8);
    expect(Math.abs((m.slow ?? 0) / m.requests - q)).toBeLessThan(4 * Math.sqrt((q * (1 - q)) / m.requests));
    expect(Math.abs((m.p95Ms ?? 0) / 1500 - 1)).toBeLessThan(0.02);
  });

  it('profiles still change only the windows after them; versions filter as before', () => {
    const s = new TelemetrySimulation({ seed: 5 });
    s.setProfile('svc', { ...HEALTHY, version: 'v1' }, T0);
    s.setProfile('svc', { rps: 5, errorRate: 0.5, p95Ms: 180, version: 'v2' }, at(300));
    expect(s.measure({ role: 'svc', version: 'v1', from: at(300), to: at(600) }).requests).toBe(0);
    const bad = s.measure({ role: 'svc', version: 'v2', from: at(300), to: at(600) });
    expect(bad.failures / bad.requests).toBeGreaterThan(0.4);
    expect(s.measure({ role: 'svc', from: T0, to: at(300) }).failures).toBeLessThan(10);
  });

  it('no slow column unless asked; no traffic → zeros and no P95', () => {
    expect(sim().measure({ role: 'svc', from: at(0), to: at(60) })).not.toHaveProperty('slow');
    expect(sim().measure({ role: 'nobody', from: at(0), to: at(60), slowAboveMs: 1 })).toEqual({
      requests: 0,
      failures: 0,
      p95Ms: null,
      slow: 0,
      retained: { requests: 0, failures: 0, slow: 0 },
    });
  });

  it('bounds the work: random mode refuses rps it would have to draw one by one beyond 2000', () => {
    const s = new TelemetrySimulation();
    expect(() => s.setProfile('svc', { rps: 5000, errorRate: 0, p95Ms: 100 }, T0)).toThrow(/rps must be between 0 and 2000/);
    const even = new TelemetrySimulation({ mode: 'even' });
    even.setProfile('svc', { rps: 5000, errorRate: 0, p95Ms: 100 }, T0);
    expect(() => even.setTraffic('random')).toThrow(RangeError);
    expect(even.traffic().mode).toBe('even');
  });
});

describe('even traffic counts slow requests exactly', () => {
  it('P95 2.5 s against a 2 s threshold: residues 13..19 of every 20 are slower (35 %)', () => {
    const s = new TelemetrySimulation({ mode: 'even' });
    s.setProfile('svc', { rps: 5, errorRate: 0.05, p95Ms: 2500 }, T0);
    expect(s.measure({ role: 'svc', from: T0, to: at(300), slowAboveMs: 2000 })).toEqual({
      requests: 1500,
      failures: 75,
      p95Ms: 2500,
      slow: 525,
      retained: { requests: 1500, failures: 75, slow: 525 },
    });
    // Healthy P95 180 ms: only the cycle's outlier (2.5 × P95 = 450 ms) is above 400 ms.
    s.setProfile('svc', HEALTHY, at(300));
    expect(s.measure({ role: 'svc', from: at(300), to: at(600), slowAboveMs: 400 }).slow).toBe(75);
  });
});

describe('Application Insights sampling (random traffic, itemCount)', () => {
  it('keeps about 1 request in itemCount as a row that stands for itemCount: weighted sums ≈ the traffic, rows ≈ a tenth', () => {
    const s = sim(7, { rps: 50, errorRate: 0.05, p95Ms: 2500, itemCount: 10 });
    const m = s.measure({ role: 'svc', from: at(0), to: at(600), slowAboveMs: 2000 });
    // 30 000 requests served; ~3 000 rows kept, each weighing 10.
    expect(m.requests % 10).toBe(0);
    expect(m.requests).toBe(10 * m.retained.requests);
    expect(m.failures).toBe(10 * m.retained.failures);
    expect(m.slow).toBe(10 * (m.retained.slow ?? 0));
    expect(Math.abs(m.retained.requests - 3000)).toBeLessThan(4 * Math.sqrt(3000));
    expect(Math.abs(m.retained.failures / m.retained.requests - 0.05)).toBeLessThan(0.015);
  });

  it('even traffic is never sampled, and says so', () => {
    const even = new TelemetrySimulation({ mode: 'even' });
    expect(() => even.setProfile('svc', { ...HEALTHY, itemCount: 10 }, T0)).toThrow(/needs random traffic/);
    expect(() => sim().setProfile('svc', { ...HEALTHY, itemCount: 0.5 }, T0)).toThrow(/itemCount/);
  });
});
