/**
 * From a release's verification evidence to what the charts draw. Pure (unit-tested without a
 * browser). Two sources: the sequential test's record (one row per sample: rates with 95 %
 * intervals, the test statistic and its bounds, the verdict) when the release has one, otherwise the
 * single look a release kept before it (`measurements`, judged against its thresholds).
 */
import type { LookEvidence, ReleaseView, VerificationRecord } from '../types.js';

export type SeriesKind = 'rate' | 'interval' | 'ci' | 'threshold' | 'baseline' | 'statistic' | 'bound';

export interface Series {
  label: string;
  kind: SeriesKind;
  values: (number | null)[];
}

export interface Panel {
  id: 'errors' | 'latency' | 'statistic';
  title: string;
  /** fraction: shown as %, ms: milliseconds, llr: the log-likelihood ratio. */
  unit: 'fraction' | 'ms' | 'llr';
  x: number[];
  series: Series[];
  /** Seconds into the window where a boundary or threshold was crossed. */
  breachAt?: number;
}

export interface ChartModel {
  source: 'sequential' | 'single-look';
  verdict?: string;
  breach?: { atS: number; sample: number; metrics: string[] };
  panels: Panel[];
}

const isRecord = (v: unknown): v is VerificationRecord => {
  const r = v as Partial<VerificationRecord> | null;
  return typeof r === 'object' && r !== null && Array.isArray(r.evidence) && typeof r.verdict === 'string' && typeof r.rule === 'object';
};

/** The release's `verification` (GET /api/deployments/{id}), or one kept under its outcome or failure. */
export function verificationOf(r: ReleaseView): VerificationRecord | undefined {
  const o = r.outcome as Record<string, unknown>;
  const failure = o.failure as Record<string, unknown> | undefined;
  const v: unknown = r.verification ?? o.verification ?? failure?.verification;
  return isRecord(v) ? v : undefined;
}

const flat = (n: number, v: number | null | undefined): (number | null)[] => Array.from({ length: n }, () => v ?? null);
const intervalRate = (events: number | null, requests: number) => (events === null || requests <= 0 ? null : events / requests);

function metricPanel(rec: VerificationRecord, metric: 'errors' | 'latency', x: number[], breachAt: number | undefined): Panel | undefined {
  const ev: LookEvidence[] = rec.evidence;
  const m = (e: LookEvidence) => (metric === 'errors' ? e.errors : e.latency);
  if (!ev.some((e) => m(e) !== null)) return undefined;
  const base = rec.baseline?.comparisons.find((c) => c.metric === metric)?.baseline.rate;
  const name = metric === 'errors' ? 'error rate' : 'slow requests';
  const crossed = rec.outcome === 'breach' && rec.metrics.includes(metric);
  return {
    id: metric,
    title: metric === 'errors' ? 'Error rate per sample' : `Requests slower than the P95 threshold per sample`,
    unit: 'fraction',
    x,
    series: [
      { label: `${name} (cumulative)`, kind: 'rate', values: ev.map((e) => m(e)?.rate ?? null) },
      { label: '95 % interval, low', kind: 'ci', values: ev.map((e) => m(e)?.ci95?.[0] ?? null) },
      { label: '95 % interval, high', kind: 'ci', values: ev.map((e) => m(e)?.ci95?.[1] ?? null) },
      {
        label: `${name} (this interval)`,
        kind: 'interval',
        values: ev.map((e) => intervalRate(metric === 'errors' ? e.interval.failures : e.interval.slow, e.interval.requests)),
      },
      { label: 'threshold', kind: 'threshold', values: flat(x.length, rec.rule[metric].threshold) },
      ...(base !== undefined && base !== null
        ? [{ label: 'baseline (before the deploy)', kind: 'baseline' as const, values: flat(x.length, base) }]
        : []),
    ],
    ...(crossed && breachAt !== undefined ? { breachAt } : {}),
  };
}

function statisticPanel(rec: VerificationRecord, x: number[], breachAt: number | undefined): Panel {
  const ev = rec.evidence;
  const hasLatency = ev.some((e) => e.latency !== null);
  return {
    id: 'statistic',
    title: 'Sequential test: log-likelihood ratio and its decision bounds',
    unit: 'llr',
    x,
    series: [
      { label: 'errors: ln LR', kind: 'statistic', values: ev.map((e) => e.errors.llr) },
      ...(hasLatency ? [{ label: 'latency: ln LR', kind: 'statistic' as const, values: ev.map((e) => e.latency?.llr ?? null) }] : []),
      { label: 'breach bound', kind: 'bound', values: flat(x.length, rec.rule.errors.upper) },
      { label: 'healthy bound', kind: 'bound', values: flat(x.length, rec.rule.errors.lower) },
    ],
    ...(rec.outcome === 'breach' && breachAt !== undefined ? { breachAt } : {}),
  };
}

export function sequentialModel(rec: VerificationRecord): ChartModel {
  const x = rec.evidence.map((e) => e.atS);
  const last = rec.evidence.at(-1);
  const breach = rec.outcome === 'breach' && last ? { atS: last.atS, sample: last.look, metrics: rec.metrics } : undefined;
  const panels = [
    metricPanel(rec, 'errors', x, breach?.atS),
    metricPanel(rec, 'latency', x, breach?.atS),
    statisticPanel(rec, x, breach?.atS),
  ];
  return {
    source: 'sequential',
    verdict: rec.verdict,
    ...(breach ? { breach } : {}),
    panels: panels.filter((p): p is Panel => p !== undefined),
  };
}

/** The single look a release kept before the sequential test (and still keeps beside it). */
export function singleLookModel(r: ReleaseView): ChartModel | undefined {
  const m = r.outcome.failure?.measurements ?? r.measurements;
  if (!m) return undefined;
  const atS = Math.max(0, Math.round((Date.parse(m.at) - Date.parse(m.from)) / 1000)) || 0;
  const base = r.outcome.baseline;
  // From the window's start to the look, so the threshold and baseline read as lines.
  const x = [0, atS || 1];
  const errorsOver = m.errorRate !== null && m.errorRate > m.thresholds.errorRateMax;
  const latencyOver = m.p95Ms !== null && m.p95Ms > m.thresholds.p95MsMax;
  const metrics = [...(errorsOver ? ['errors'] : []), ...(latencyOver ? ['latency'] : [])];
  const panel = (id: 'errors' | 'latency', over: boolean): Panel => ({
    id,
    title: id === 'errors' ? 'Error rate' : 'P95 latency',
    unit: id === 'errors' ? 'fraction' : 'ms',
    x,
    series: [
      { label: id === 'errors' ? 'error rate' : 'P95', kind: 'rate', values: [null, id === 'errors' ? m.errorRate : m.p95Ms] },
      { label: 'threshold', kind: 'threshold', values: flat(2, id === 'errors' ? m.thresholds.errorRateMax : m.thresholds.p95MsMax) },
      ...(base
        ? [
            {
              label: 'baseline (before the deploy)',
              kind: 'baseline' as const,
              values: flat(2, id === 'errors' ? base.errorRate : base.p95Ms),
            },
          ]
        : []),
    ],
    ...(over ? { breachAt: atS || 1 } : {}),
  });
  return {
    source: 'single-look',
    ...(metrics.length ? { breach: { atS, sample: 1, metrics } } : {}),
    panels: [panel('errors', errorsOver), panel('latency', latencyOver)],
  };
}

export function chartModel(r: ReleaseView): ChartModel | undefined {
  const rec = verificationOf(r);
  return rec ? sequentialModel(rec) : singleLookModel(r);
}
