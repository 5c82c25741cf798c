/**
 * The decision as markdown, for the release issue and the release record: the verdict, the rule
 * with its numbers, one row per sample (counts, the statistic, which side it is on), the
 * window-end test and the baseline comparison. Sanitising is the issue adapter's job.
 */
import type { LookEvidence, MetricEvidence, VerificationDecision } from './decide.js';
import type { MetricComparison } from './baseline.js';
import { percent } from './verdict.js';

const fixed = (x: number, d = 2) => x.toFixed(d).replace('-', '−');
const ci = (e: MetricEvidence) =>
  e.rate === null ? 'n/a' : `${percent(e.rate)} %${e.ci95 ? ` (${percent(e.ci95[0])}–${percent(e.ci95[1])} %)` : ''}`;
const side = (e: MetricEvidence | null) =>
  e === null ? 'not measured' : `${fixed(e.llr)} ${e.side === 'breach' ? '▲ breach' : e.side === 'healthy' ? '▼ healthy' : 'open'}`;
const withNew = (total: number | null, added: number | null) => (total === null ? 'n/a' : `${total} (+${added ?? 0})`);

function row(e: LookEvidence): string {
  return `| ${e.look} | ${e.atS} s | ${withNew(e.requests, e.interval.requests)} | ${withNew(e.failures, e.interval.failures)} | ${withNew(e.slow, e.interval.slow)} | ${ci(e.errors)} | ${side(e.errors)} | ${e.latency ? ci(e.latency) : 'n/a'} | ${side(e.latency)} |`;
}

function comparison(c: MetricComparison): string {
  const name = c.metric === 'errors' ? 'errors' : 'slow requests';
  const rate = c.baseline.rate === null ? 'n/a' : `${percent(c.baseline.rate)} %`;
  const p = c.pValue === null ? 'no comparison' : `new vs old: p = ${c.pValue.toPrecision(2)}${c.worse ? ', significantly worse' : ''}`;
  return `${name} ${c.baseline.events} of ${c.baseline.requests} (${rate}), ${c.breaching ? 'already breaching' : 'not breaching'}; ${p}`;
}

/** What the evidence needs: a decision, or the record a release keeps of one. */
export type Evidence = Pick<VerificationDecision, 'verdict' | 'rule' | 'evidence' | 'windowEnd' | 'baseline' | 'blame'>;

const gap = (n: number) => `| … | | ${n} sample${n === 1 ? '' : 's'} | | | | | | |`;

/** Table rows, with a gap row wherever sample numbers jump (samples dropped by the caller or here). */
function table(rows: LookEvidence[]): string[] {
  return rows.flatMap((e, i) => {
    const before = rows[i - 1];
    return before && e.look > before.look + 1 ? [gap(e.look - before.look - 1), row(e)] : [row(e)];
  });
}

function sampling(e: LookEvidence): string | undefined {
  const w = e.weighted;
  if (!w) return undefined;
  const rate = w.requests > 0 ? `${percent(w.failures / w.requests)} %` : 'n/a';
  return (
    `Application Insights sampling: the counts above are retained rows, one observation each; at sample ${e.look} they stand for ` +
    `${w.requests} requests, ${w.failures} failures${w.slow !== undefined ? `, ${w.slow} slow` : ''} (ItemCount-weighted error rate ${rate}).`
  );
}

/** Markdown lines; at most `maxRows` sample rows (the first three and the latest ones). */
export function evidenceMarkdown(d: Evidence, maxRows = 30): string[] {
  const e = d.rule.errors;
  const l = d.rule.latency;
  const lines = [
    `**Verdict:** ${d.verdict}`,
    '',
    `Rule: each metric is a sequential likelihood-ratio test of a healthy rate (${percent(e.healthy)} % errors; ${percent(l.healthy)} % of requests slow) ` +
      `against a failing one (${percent(e.failing)} %; ${percent(l.failing)} %): breach once ln LR ≥ ${fixed(e.upper)} (a healthy release gets there in at most ${percent(e.endAlpha)} % of cases), ` +
      `healthy once ≤ ${fixed(e.lower)} (a failing one in at most ${percent(e.endBeta)} %), however many samples; at the end of the first window an exact ` +
      `binomial test (levels ${percent(e.endAlpha)} % and ${percent(e.endBeta)} %) decides what is still open; otherwise the verdict is inconclusive.`,
    '',
    '| sample | at | requests (new) | failures (new) | slow (new) | error rate (95 % CI) | ln LR errors | slow share (95 % CI) | ln LR latency |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  const rows = d.evidence;
  const shown = rows.length <= maxRows ? rows : [...rows.slice(0, 3), ...rows.slice(-Math.max(1, maxRows - 3))];
  lines.push(...table(shown));
  const latest = rows.at(-1);
  const sampled = latest ? sampling(latest) : undefined;
  if (sampled) lines.push('', sampled);
  for (const [metric, t] of Object.entries(d.windowEnd ?? {})) {
    lines.push(
      '',
      `Window end (${metric}): p = ${t.pHealthy.toPrecision(2)} that the rate is at most the healthy rate, p = ${t.pFailing.toPrecision(2)} that it is at least the failing rate → ${t.side}.`,
    );
  }
  if (d.baseline) {
    const c = d.baseline.counts;
    lines.push(
      '',
      `Baseline before the deploy: ${c.requests} requests${d.baseline.comparisons.length ? `; ${d.baseline.comparisons.map(comparison).join('; ')}` : ''}${d.blame ? ` — blame: ${d.blame}` : ''}.`,
    );
  }
  return lines;
}
