/** The GitHub issue a rollback (or a failed rollback, or an unverified release) opens: the evidence, readable. */
import type { Release } from '../domain/release.js';
import { pinnedImage } from '../domain/image-ref.js';
import type { IssueRequest } from '../ports.js';

const fence = (v: unknown) => ['```json', JSON.stringify(v, null, 2).slice(0, 6000), '```'].join('\n');
const pct = (x: number | null | undefined) => (typeof x === 'number' ? `${(x * 100).toFixed(2)}%` : 'n/a');
const num = (x: number | null | undefined) => (typeof x === 'number' ? String(x) : 'n/a');
const ms = (x: number | null | undefined) => (typeof x === 'number' ? `${Math.round(x)} ms` : 'n/a');

/** Per ending: the issue's title, its marker kind (one issue per kind/app/environment/target), label and advice. */
interface IssueKind {
  title: string;
  marker: string;
  label: string;
  advice: string;
}
const QUARANTINED =
  'The failed digest is quarantined: automation will not deploy it again; a manual deploy (POST /api/deployments) can, explicitly.';
const KINDS: Partial<Record<Release['phase'], IssueKind>> = {
  rolled_back: { title: 'Rolled back', marker: 'rollback', label: 'rollback', advice: QUARANTINED },
  failed: {
    title: 'ROLLBACK FAILED',
    marker: 'rollback',
    label: 'rollback-failed',
    advice: 'The failing release may still be serving traffic: act now.',
  },
  unverified: {
    title: 'Unverified release',
    marker: 'unverified',
    label: 'unverified',
    advice:
      'The release is running but was never verified: check the telemetry pipeline, then redeploy (POST /api/deployments) to verify it.',
  },
  blocked: {
    title: 'Blocked by the scan gate',
    marker: 'blocked',
    label: 'scan-blocked',
    advice:
      'Nothing was deployed. Fix the findings (or record an ignore entry with a reason and an expiry) and push again; automation will not retry this digest.',
  },
};
const FALLBACK: IssueKind = { title: 'Release ended', marker: 'rollback', label: 'rollback', advice: QUARANTINED };

export function issueFor(r: Release, statusUrl: string): IssueRequest {
  const kind = KINDS[r.phase] ?? { ...FALLBACK, title: r.phase };
  const target = r.image?.digest ?? r.manifestCommit ?? r.id;
  const last = r.timeline[r.timeline.length - 1];
  const o = r.outcome;
  const m = o.measurements;
  const t = m?.thresholds;
  const b = o.baseline;
  const lines = [
    `**${kind.title}** — \`${r.app}\` in \`${r.environment}\`, release [${r.id}](${statusUrl}).`,
    '',
    `**Why:** ${last?.reason ?? 'unknown'}`,
    '',
    '| | |',
    '|---|---|',
    `| Image | ${r.image ? `\`${pinnedImage(r.image)}\`` : 'n/a'} |`,
    `| Commit | ${r.commit ? `\`${r.commit}\`` : 'unknown'} |`,
    `| Source | ${r.source.door} event \`${r.source.eventId}\`${r.source.actor ? ` by ${r.source.actor}` : ''} |`,
    `| Correlation id | \`${r.correlationId}\` |`,
    '',
  ];
  if (m) {
    lines.push('### Measurements vs thresholds', '', '| metric | observed | threshold | baseline before deploy |', '|---|---|---|---|');
    lines.push(`| error rate | ${pct(m.errorRate)} | ${pct(t?.errorRateMax)} | ${pct(b?.errorRate)} |`);
    lines.push(`| P95 latency | ${ms(m.p95Ms)} | ${ms(t?.p95MsMax)} | ${ms(b?.p95Ms)} |`);
    lines.push(`| requests | ${num(m.requests)} | ≥ ${num(t?.minRequests)} | ${num(b?.requests)} |`, '');
  }
  for (const [title, key] of [
    ['Failure', 'failure'],
    ['Rollback', 'rollback'],
    ['Rollback failure', 'rollbackFailure'],
    ['Smoke checks', 'smoke'],
    ['Telemetry', 'telemetry'],
    ['Scan', 'scan'],
  ] as const) {
    if (o[key]) lines.push(`<details><summary>${title}</summary>`, '', fence(o[key]), '', '</details>', '');
  }
  lines.push('### Timeline', '', ...r.timeline.map((e) => `- ${e.at} ${e.from ?? '∅'} → **${e.to}**: ${e.reason}`), '');
  lines.push(kind.advice);
  return {
    marker: `tailspin-deployer:${kind.marker}:${r.app}:${r.environment}:${target}`,
    title: `${kind.title}: ${r.app} in ${r.environment} (${target.slice(0, 19)})`,
    body: lines.join('\n'),
    labels: ['tailspin-deployer', kind.label, `app:${r.app}`, `env:${r.environment}`],
  };
}
