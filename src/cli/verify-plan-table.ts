/** verify-plan's human output: the rule in words, one row per simulated release, the window advice. */
import { percent, slowFraction, type PlanRow } from '../services/verification/index.js';
import type { PlanResult } from './verify-plan-types.js';

const pct = (x: number) => `${percent(x)} %`;
const secs = (s: number | null) => (s === null ? '—' : `${s} s`);
const ms = (v: number) => (v >= 1000 ? `${Number((v / 1000).toFixed(2))} s` : `${Math.round(v)} ms`);

function label(row: PlanRow, p95MsMax: number): string {
  const t = row.traffic;
  const slow = `${pct(slowFraction(t.p95Ms, p95MsMax, t.latencySigma))} slower than ${ms(p95MsMax)}`;
  if (row.varies === 'errors') return `error rate ${pct(t.errorRate)}`;
  if (row.varies === 'latency') return `P95 ${ms(t.p95Ms)} (${slow})`;
  return `error rate ${pct(t.errorRate)}, P95 ${ms(t.p95Ms)} (${slow})`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n');
}

export function renderPlan(result: PlanResult): string {
  const { request: q, rows, suggestion } = result;
  const s = q.settings;
  const healthyS = Math.ceil(result.rule.minRequestsForHealthy.errors / Math.max(q.rps, 1e-9));
  const perS = `${q.rps} request${q.rps === 1 ? '' : 's'}/s`;
  const lines = [
    `verify-plan: ${perS}, ${q.windowS} s window, a sample every ${q.intervalS} s; ${q.runs} simulated releases per row (seed ${q.seed})`,
    `rule: roll back when the error rate is above ${pct(s.errorRateMax)} or P95 above ${ms(s.p95MsMax)} (more than 5 % of requests slower);`,
    `      at most ${pct(s.falseRollbackMax)} rollbacks of a release at ≤ ${pct(s.healthyRatio * s.errorRateMax)} errors (≤ ${pct(s.healthyRatio * 0.05)} slow),`,
    `      at most ${pct(s.missedBreachMax)} passes of one at ≥ ${pct(s.failingRatio * s.errorRateMax)} errors (≥ ${pct(s.failingRatio * 0.05)} slow);`,
    `      a healthy verdict needs ≥ ${result.rule.minRequestsForHealthy.errors} requests (about ${healthyS} s at ${perS}); fewer is inconclusive`,
    '',
    table([
      ['release', 'rolled back', 'healthy', 'inconclusive', 'rolled back incl. 1 extension', 'time to rollback median / p90'],
      ...rows.map((r) => [
        label(r, s.p95MsMax),
        pct(r.summary.breach),
        pct(r.summary.healthy),
        pct(r.summary.inconclusive),
        pct(r.summary.extended.breach),
        `${secs(r.summary.detection.medianS)} / ${secs(r.summary.detection.p90S)}`,
      ]),
    ]),
    '',
    '"inconclusive": the window ended without enough evidence either way (VERIFY_INCONCLUSIVE applies: extend once, then pass or hold);',
    '"incl. 1 extension": rolled back within the window or its one extension. "—": fewer than half (or 90 %) of the runs were rolled back.',
  ];
  if (suggestion) {
    const failing = pct(s.failingRatio * s.errorRateMax);
    lines.push(
      '',
      suggestion.windowS === null
        ? `no window up to a day catches ${failing} errors in ≥ ${pct(1 - s.missedBreachMax)} of runs at ${perS}`
        : `window that catches ${failing} errors in ≥ ${pct(1 - s.missedBreachMax)} of runs at ${perS}: ${suggestion.windowS} s ` +
            `(caught ${pct(suggestion.caught)}; a release at ${pct(s.healthyRatio * s.errorRateMax)} errors is then inconclusive in ${pct(suggestion.healthyInconclusive)})`,
    );
  }
  return `${lines.join('\n')}\n`;
}
