/**
 * The evidence chart's model, fed by the production decision code (src/services/verification):
 * the record a release carries once verification is the sequential test (issue #12), and the
 * single look releases carry today.
 */
import { describe, expect, it } from 'vitest';
import { decideVerification } from '../../../src/services/verification/decide.js';
import { DEFAULT_VERIFICATION_SETTINGS as S } from '../../../src/services/verification/settings.js';
import { chartModel, sequentialModel, verificationOf } from '../../../src/dashboard/ui/chart/model.js';
import type { ReleaseView, VerificationRecord } from '../../../src/dashboard/ui/types.js';

const looks = [
  { atS: 30, requests: 150, failures: 1, slow: 2 },
  { atS: 60, requests: 300, failures: 9, slow: 4 },
  { atS: 90, requests: 450, failures: 25, slow: 6 },
];
const base = { requests: 400, failures: 2, slow: 5 };

function view(outcome: Record<string, unknown>, extra: Partial<ReleaseView> = {}): ReleaseView {
  return {
    id: 'r-1-000000',
    app: 'a',
    environment: 'dev',
    kind: 'image',
    phase: 'rolled_back',
    source: { door: 'acr', eventId: 'e' },
    correlationId: 'e',
    createdAt: '2026-12-01T10:00:00Z',
    updatedAt: '2026-12-01T10:02:00Z',
    links: {},
    outcome,
    statusUrl: '',
    ...extra,
  };
}

describe('the sequential record', () => {
  const decision = decideVerification({ looks, windowS: 300, baseline: base }, S);

  it('is a breach the production rule reaches within these samples', () => {
    expect(decision.outcome).toBe('breach');
    expect(decision.metrics).toContain('errors');
  });

  it('becomes an error panel with rate, interval, threshold and baseline, a statistic panel with its bounds, and the breach marked', () => {
    const m = sequentialModel(decision);
    expect(m.source).toBe('sequential');
    expect(m.verdict).toBe(decision.verdict);
    const last = decision.evidence.at(-1)!;
    expect(m.breach).toEqual({ atS: last.atS, sample: last.look, metrics: decision.metrics });
    const errors = m.panels.find((p) => p.id === 'errors')!;
    expect(errors.x).toEqual(decision.evidence.map((e) => e.atS));
    const byKind = (k: string) => errors.series.filter((s) => s.kind === k);
    expect(byKind('rate')[0]?.values).toEqual(decision.evidence.map((e) => e.errors.rate));
    expect(byKind('ci').map((s) => s.values)).toEqual([
      decision.evidence.map((e) => e.errors.ci95?.[0] ?? null),
      decision.evidence.map((e) => e.errors.ci95?.[1] ?? null),
    ]);
    expect(byKind('interval')[0]?.values[0]).toBeCloseTo(1 / 150);
    expect(byKind('threshold')[0]?.values.every((v) => v === S.errorRateMax)).toBe(true);
    expect(byKind('baseline')[0]?.values[0]).toBeCloseTo(base.failures / base.requests);
    expect(errors.breachAt).toBe(last.atS);
    const stat = m.panels.find((p) => p.id === 'statistic')!;
    const bounds = stat.series.filter((s) => s.kind === 'bound').map((s) => s.values[0]);
    expect(bounds).toEqual([decision.rule.errors.upper, decision.rule.errors.lower]);
    expect(stat.series[0]?.values.at(-1)).toBeGreaterThanOrEqual(decision.rule.errors.upper);
    // Latency did not breach: its panel is drawn without a breach mark.
    expect(m.panels.find((p) => p.id === 'latency')?.breachAt).toBeUndefined();
  });

  it('is found in the release view, under its outcome or with the failure, and preferred over the single look', () => {
    expect(verificationOf({ ...view({}), verification: decision } as unknown as ReleaseView)).toBe(decision);
    expect(verificationOf(view({ verification: decision }))).toBe(decision);
    expect(verificationOf(view({ failure: { reason: 'x', at: '', verification: decision } }))).toBe(decision);
    expect(verificationOf(view({ verification: { verdict: 'x' } }))).toBeUndefined();
    expect(chartModel(view({ verification: decision }))?.source).toBe('sequential');
  });

  it('has no latency panel when the samples carried no slow counts', () => {
    const d = decideVerification({ looks: looks.map(({ slow: _s, ...l }) => l), windowS: 300 }, S);
    expect(sequentialModel(d as VerificationRecord).panels.map((p) => p.id)).toEqual(['errors', 'statistic']);
  });
});

describe('the single look (releases before the sequential test)', () => {
  const thresholds = { errorRateMax: 0.01, p95MsMax: 2000, minRequests: 50 };
  const measurements = {
    requests: 50,
    failures: 3,
    errorRate: 0.06,
    p95Ms: 180,
    at: '2026-12-01T10:01:00Z',
    from: '2026-12-01T10:00:00Z',
    thresholds,
  };

  it('draws the look against its thresholds and the baseline, marking only the metric over its threshold', () => {
    const m = chartModel(
      view({
        failure: { reason: 'telemetry breach', at: '', measurements },
        baseline: { requests: 60, failures: 0, errorRate: 0, p95Ms: 150, from: '', to: '' },
      }),
    )!;
    expect(m.source).toBe('single-look');
    expect(m.breach).toEqual({ atS: 60, sample: 1, metrics: ['errors'] });
    const [errors, latency] = m.panels;
    expect(errors?.x).toEqual([0, 60]);
    expect(errors?.series.map((s) => [s.kind, s.values])).toEqual([
      ['rate', [null, 0.06]],
      ['threshold', [0.01, 0.01]],
      ['baseline', [0, 0]],
    ]);
    expect(errors?.breachAt).toBe(60);
    expect(latency?.breachAt).toBeUndefined();
  });

  it('reads a passing release from its measurements, and nothing without any', () => {
    expect(chartModel(view({}, { measurements: { ...measurements, errorRate: 0, failures: 0 } }))?.breach).toBeUndefined();
    expect(chartModel(view({}))).toBeUndefined();
  });
});
