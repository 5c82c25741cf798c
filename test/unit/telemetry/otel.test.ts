/**
 * The OpenTelemetry implementation of the port, with its in-memory destination: what is counted,
 * recorded and traced comes back from snapshot() as OpenTelemetry aggregated it, with the release's
 * own trace and span ids; calls made before the SDK has loaded are kept and replayed in order.
 */
import { describe, expect, it } from 'vitest';
import { createObservability } from '../../../src/services/adapters/otel/index.js';
import { silentLogger } from '../../../src/services/logger.js';
import { observedIntake, observedStore } from '../../../src/services/telemetry/decorators.js';
import type { Observability } from '../../../src/services/telemetry/port.js';
import type { Intake } from '../../../src/services/intake/service.js';
import type { ReleaseStore } from '../../../src/services/ports.js';
import type { Release } from '../../../src/services/domain/release.js';

const options = { serviceName: 'tailspin-deployer', environment: 'test', version: '0.1.0' };
const T = new Date('2026-12-01T10:00:00.000Z');

describe('createObservability (OpenTelemetry SDK, in memory)', () => {
  it('aggregates counters and histograms per attribute set', async () => {
    const obs = createObservability(options, silentLogger);
    obs.count('tailspin.releases.completed', 1, { app: 'a', outcome: 'succeeded' });
    obs.count('tailspin.releases.completed', 1, { app: 'a', outcome: 'succeeded' });
    obs.count('tailspin.releases.completed', 1, { app: 'a', outcome: 'rolled_back' });
    for (const v of [2, 8, 5]) obs.record('tailspin.release.phase.duration', v, { phase: 'scanning' });
    const snap = await obs.snapshot();
    expect(snap.exporters).toEqual(['memory']);
    const completed = snap.metrics.find((m) => m.name === 'tailspin.releases.completed')!;
    expect(completed).toMatchObject({ kind: 'counter', unit: '{release}' });
    expect(completed.points).toEqual(
      expect.arrayContaining([
        { attributes: { app: 'a', outcome: 'succeeded' }, value: 2 },
        { attributes: { app: 'a', outcome: 'rolled_back' }, value: 1 },
      ]),
    );
    const phase = snap.metrics.find((m) => m.name === 'tailspin.release.phase.duration')!;
    expect(phase).toMatchObject({
      kind: 'histogram',
      unit: 's',
      points: [{ attributes: { phase: 'scanning' }, count: 3, sum: 15, min: 2, max: 8 }],
    });
  });

  it('reports spans with the ids it was given: a root without parent, its children under it, errors marked', async () => {
    const obs = createObservability(options, silentLogger);
    const traceId = 'a'.repeat(32);
    obs.span({
      name: 'phase scanning',
      traceId,
      spanId: '1'.repeat(16),
      parentSpanId: 'f'.repeat(16),
      start: T,
      end: new Date(T.getTime() + 1500),
      attributes: { phase: 'scanning' },
    });
    obs.span({
      name: 'release a',
      traceId,
      spanId: 'f'.repeat(16),
      start: T,
      end: new Date(T.getTime() + 4000),
      attributes: { outcome: 'rolled_back' },
      error: true,
    });
    const { spans } = await obs.snapshot();
    expect(spans).toEqual([
      {
        name: 'phase scanning',
        traceId,
        spanId: '1'.repeat(16),
        parentSpanId: 'f'.repeat(16),
        start: T.toISOString(),
        end: '2026-12-01T10:00:01.500Z',
        durationMs: 1500,
        attributes: { phase: 'scanning' },
      },
      {
        name: 'release a',
        traceId,
        spanId: 'f'.repeat(16),
        start: T.toISOString(),
        end: '2026-12-01T10:00:04.000Z',
        durationMs: 4000,
        attributes: { outcome: 'rolled_back' },
        error: true,
      },
    ]);
  });

  it('keeps only the newest spans', async () => {
    const obs = createObservability({ ...options, maxSpans: 3 }, silentLogger);
    for (let i = 0; i < 5; i++)
      obs.span({ name: `s${i}`, traceId: 'b'.repeat(32), spanId: `${i}`.repeat(16), start: T, end: T, attributes: {} });
    expect((await obs.snapshot()).spans.map((s) => s.name)).toEqual(['s2', 's3', 's4']);
  });
});

describe('decorators', () => {
  const r = {
    id: 'r-1-000000',
    app: 'a',
    environment: 'dev',
    kind: 'image',
    phase: 'queued',
    timeline: [],
    createdAt: T.toISOString(),
    progress: {},
    source: { door: 'manual' },
    correlationId: 'c',
  } as unknown as Release;
  const throwing: Observability = {
    count: () => {
      throw new Error('exporter broke');
    },
    record: () => {
      throw new Error('exporter broke');
    },
    span: () => {
      throw new Error('exporter broke');
    },
    snapshot: () => Promise.reject(new Error('no')),
    flush: () => Promise.reject(new Error('no')),
  };

  it('telemetry that throws never fails the save, the read or the intake it wraps', async () => {
    const done = {
      ...r,
      phase: 'succeeded',
      timeline: [{ at: T.toISOString(), from: 'queued', to: 'succeeded', reason: 'ok', correlationId: 'c' }],
    } as Release;
    const store = {
      get: () => Promise.resolve({ ...r, nextCheckAt: T.toISOString() }),
      save: () => Promise.resolve({ ok: true as const, value: done }),
    } as unknown as ReleaseStore;
    const s = observedStore(store, throwing, { now: () => new Date(T.getTime() + 5000) }, silentLogger);
    expect((await s.save(r, { to: 'succeeded' }, T)).ok).toBe(true);
    expect(await s.get(r.id)).toMatchObject({ id: r.id });
    const intake = { github: () => Promise.resolve({ kind: 'ignored', reason: 'ping' }) } as unknown as Intake;
    expect(await observedIntake(intake, throwing, silentLogger).github('d', 'ping', {}, silentLogger)).toEqual({
      kind: 'ignored',
      reason: 'ping',
    });
  });

  it('times GitHub deliveries by answer, with the event name bounded', async () => {
    const obs = createObservability(options, silentLogger);
    const intake = { github: () => Promise.resolve({ kind: 'accepted', releaseIds: [], duplicates: [] }) } as unknown as Intake;
    await observedIntake(intake, obs, silentLogger).github('d', 'a-made-up-event', {}, silentLogger);
    const failing = { github: () => Promise.reject(new Error('storage down')) } as unknown as Intake;
    await expect(observedIntake(failing, obs, silentLogger).github('d', 'push', {}, silentLogger)).rejects.toThrow('storage down');
    const ack = (await obs.snapshot()).metrics.find((m) => m.name === 'tailspin.webhook.ack.duration')!;
    expect(ack.points.map((p) => p.attributes).sort((a, b) => String(a.outcome).localeCompare(String(b.outcome)))).toEqual([
      { outcome: 'accepted', event: 'other' },
      { outcome: 'error', event: 'push' },
    ]);
  });
});
