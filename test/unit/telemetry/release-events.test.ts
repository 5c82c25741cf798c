/** What a release's saves report: one span per phase under the release's root span, and the metrics. */
import { describe, expect, it } from 'vitest';
import type { Phase, Release } from '../../../src/services/domain/release.js';
import { observeSave, tickLag } from '../../../src/services/telemetry/release-events.js';
import { phaseSpanIdOf, rootSpanIdOf, traceIdOf } from '../../../src/services/telemetry/ids.js';

const T0 = new Date('2026-12-01T10:00:00.000Z');
const at = (s: number) => new Date(T0.getTime() + s * 1000);

function release(phases: [Phase, number][], extra: Partial<Release> = {}): Release {
  const timeline = phases.map(([to, s], i) => ({
    at: at(s).toISOString(),
    from: i ? phases[i - 1]![0] : null,
    to,
    reason: `to ${to}`,
    correlationId: 'c-1',
  }));
  return {
    id: 'r-abc123-0a1b2c',
    app: 'tailspin-server',
    environment: 'dev',
    kind: 'image',
    phase: phases.at(-1)![0],
    source: { door: 'acr', eventId: 'e-1' },
    correlationId: 'c-1',
    createdAt: T0.toISOString(),
    updatedAt: T0.toISOString(),
    progress: {},
    outcome: {},
    timeline,
    ...extra,
  };
}

describe('observeSave', () => {
  it('a phase change reports its duration and a span under the release root, in the release trace', () => {
    const before = release(
      [
        ['queued', 0],
        ['scanning', 2],
      ],
      { progress: { scanStartedAt: at(3).toISOString() } },
    );
    const after = release([
      ['queued', 0],
      ['scanning', 2],
      ['deploying', 12],
    ]);
    const o = observeSave(before, after, at(12));
    expect(o.records).toEqual([
      {
        name: 'tailspin.release.phase.duration',
        value: 10,
        attributes: { app: 'tailspin-server', environment: 'dev', kind: 'image', phase: 'scanning', to: 'deploying' },
      },
      {
        name: 'tailspin.scan.duration',
        value: 9,
        attributes: { app: 'tailspin-server', environment: 'dev', kind: 'image', verdict: 'passed' },
      },
    ]);
    expect(o.spans).toEqual([
      {
        name: 'phase scanning',
        traceId: traceIdOf('r-abc123-0a1b2c'),
        spanId: phaseSpanIdOf('r-abc123-0a1b2c', 1),
        parentSpanId: rootSpanIdOf('r-abc123-0a1b2c'),
        start: at(2),
        end: at(12),
        attributes: expect.objectContaining({
          'release.id': 'r-abc123-0a1b2c',
          correlation_id: 'c-1',
          phase: 'scanning',
          to: 'deploying',
          reason: 'to deploying',
        }),
      },
    ]);
    expect(o.counts).toEqual([]);
  });

  it('a terminal phase counts the outcome, closes the root span and, when verified, reports push-to-verified', () => {
    const before = release([
      ['queued', 0],
      ['scanning', 1],
      ['deploying', 5],
      ['verifying', 20],
    ]);
    const after = release([
      ['queued', 0],
      ['scanning', 1],
      ['deploying', 5],
      ['verifying', 20],
      ['succeeded', 80],
    ]);
    const o = observeSave(before, after, at(80));
    expect(o.counts).toEqual([
      { name: 'tailspin.releases.completed', value: 1, attributes: expect.objectContaining({ outcome: 'succeeded' }) },
    ]);
    expect(o.records.map((r) => [r.name, r.value])).toEqual([
      ['tailspin.release.phase.duration', 60],
      ['tailspin.release.push_to_verified', 80],
    ]);
    // The ending's own save owes every notice by design (sent after it is stored): not a backlog yet.
    expect(o.records.map((r) => r.name)).not.toContain('tailspin.notifications.pending');
    const root = o.spans.find((s) => s.spanId === rootSpanIdOf(after.id))!;
    expect(root).toMatchObject({
      name: 'release tailspin-server',
      start: T0,
      end: at(80),
      attributes: { outcome: 'succeeded', door: 'acr' },
    });
    expect(root.parentSpanId).toBeUndefined();
    expect(root.error).toBeUndefined();
  });

  it('a rollback is an error on the phase that led to it and on the release, and is not "verified"', () => {
    const before = release([
      ['queued', 0],
      ['deploying', 5],
      ['rolling_back', 9],
    ]);
    const after = release([
      ['queued', 0],
      ['deploying', 5],
      ['rolling_back', 9],
      ['rolled_back', 15],
    ]);
    const o = observeSave(before, after, at(15));
    expect(o.spans.every((s) => s.error)).toBe(true);
    expect(o.records.map((r) => r.name)).not.toContain('tailspin.release.push_to_verified');
    expect(o.counts[0]!.attributes.outcome).toBe('rolled_back');
  });

  it('a save without a phase change reports only what a finished release still owes GitHub', () => {
    const active = release([
      ['queued', 0],
      ['deploying', 5],
    ]);
    expect(observeSave(active, active, at(6))).toEqual({ counts: [], records: [], spans: [] });
    const done = release(
      [
        ['queued', 0],
        ['succeeded', 5],
      ],
      { progress: { notifyPending: ['issue', 'deployment'] } },
    );
    expect(observeSave(done, done, at(60)).records).toEqual([
      { name: 'tailspin.notifications.pending', value: 2, attributes: { app: 'tailspin-server', environment: 'dev', kind: 'image' } },
    ]);
  });
});

describe('tickLag', () => {
  it('is how late a due tick ran, and nothing for an early tick or a finished release', () => {
    const r = release(
      [
        ['queued', 0],
        ['deploying', 5],
      ],
      { nextCheckAt: at(10).toISOString() },
    );
    expect(tickLag(r, at(12.5))).toBe(2.5);
    expect(tickLag(r, at(9))).toBeUndefined();
    expect(tickLag(release([['succeeded', 1]], { nextCheckAt: at(0).toISOString() }), at(5))).toBeUndefined();
  });
});

describe('trace ids', () => {
  it('are W3C-shaped, stable per release and different across releases', () => {
    expect(traceIdOf('r-abc123-0a1b2c')).toMatch(/^[0-9a-f]{32}$/);
    expect(rootSpanIdOf('r-abc123-0a1b2c')).toMatch(/^[0-9a-f]{16}$/);
    expect(traceIdOf('r-abc123-0a1b2c')).toBe(traceIdOf('r-abc123-0a1b2c'));
    expect(traceIdOf('r-abc123-0a1b2d')).not.toBe(traceIdOf('r-abc123-0a1b2c'));
    expect(phaseSpanIdOf('r-abc123-0a1b2c', 0)).not.toBe(phaseSpanIdOf('r-abc123-0a1b2c', 1));
  });
});
