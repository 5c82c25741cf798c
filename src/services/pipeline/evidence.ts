/** The GitHub issue a rollback (or a failed rollback, or an unverified release) opens: the evidence, readable. */
import type { Release, VerificationRecord } from '../domain/release.js';
import { pinnedImage } from '../domain/image-ref.js';
import type { IssueRequest } from '../ports.js';
import { evidenceMarkdown } from '../verification/index.js';

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
const SIGNATURE_BLOCKED: IssueKind = {
  title: 'Blocked by the signature gate',
  marker: 'signature-blocked',
  label: 'signature-blocked',
  advice:
    'Nothing was deployed: the digest carries no cosign signature that verifies against the trusted key (COSIGN_PUBLIC_KEY). ' +
    'Sign exactly this digest (`cosign sign --key … <image>@<digest>`) and deploy it again (POST /api/deployments), or push a signed build.',
};
const FALLBACK: IssueKind = { title: 'Release ended', marker: 'rollback', label: 'rollback', advice: QUARANTINED };

/** Unverified for a reason the telemetry itself gave: the alert says what it means and what to do. */
function unverifiedKind(v: VerificationRecord | undefined): IssueKind | undefined {
  if (v?.outcome === 'breach' && v.blame === 'baseline')
    return {
      title: 'Failing before this release',
      marker: 'baseline',
      label: 'baseline-failing',
      advice:
        "The release was not rolled back: the version before it was failing the same way, so going back would not help and it is not the release's fault. " +
        'Look at what both versions share (a dependency, configuration, load). The release keeps running unverified; VERIFY_BASELINE_BREACH=rollback rolls back anyway.',
    };
  if (v?.reason === 'no-traffic')
    return {
      title: 'No telemetry',
      marker: 'no-telemetry',
      label: 'no-telemetry',
      advice:
        `Not one request from Application Insights role "${v.role}" reached the workspace, before or after the deploy: ${v.app} is not instrumented, ` +
        `or it reports under another cloud role name (AppRoleName) than "${v.role}" (set telemetryRole in TAILSPIN_CATALOG to the name it uses). ` +
        'The release keeps running unverified; redeploy (POST /api/deployments) once telemetry arrives to verify it.',
    };
  return undefined;
}

/** The statistical evidence: verdict, rule, one row per sample, window-end test, baseline; and every app's outcome. */
function verificationSection(v: VerificationRecord): string[] {
  const apps = Object.entries(v.perApp ?? {}).map(([app, x]) => `- \`${app}\`: ${x.outcome} — ${x.verdict}`);
  return [
    `### Verification of \`${v.app}\` (Application Insights role \`${v.role}\`, ${v.windowS} s window${v.extended ? ', extended once' : ''})`,
    '',
    ...evidenceMarkdown(v),
    '',
    ...(apps.length ? ['Every app of this release:', '', ...apps, ''] : []),
  ];
}

/** The scan passed but the digest carries no valid signature by a trusted key, under `enforce`. */
export const blockedBySignature = (r: Release): boolean =>
  r.phase === 'blocked' && r.outcome.signature?.policy === 'enforce' && r.outcome.signature.outcome !== 'verified';

export function issueFor(r: Release, statusUrl: string): IssueRequest {
  const kind = (r.phase === 'unverified' ? unverifiedKind(r.outcome.verification) : undefined) ??
    (blockedBySignature(r) ? SIGNATURE_BLOCKED : undefined) ??
    KINDS[r.phase] ?? { ...FALLBACK, title: r.phase };
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
    ...(r.version ? [`| Version | \`${r.version}\` |`] : []),
    ...codeScanningRows(o.codeScanning),
    `| Source | ${r.source.door} event \`${r.source.eventId}\`${r.source.actor ? ` by ${r.source.actor}` : ''} |`,
    `| Correlation id | \`${r.correlationId}\` |`,
    '',
  ];
  if (m) {
    lines.push('### Measurements vs thresholds', '', '| metric | observed | threshold | baseline before deploy |', '|---|---|---|---|');
    lines.push(`| error rate | ${pct(m.errorRate)} | ${pct(t?.errorRateMax)} | ${pct(b?.errorRate)} |`);
    lines.push(`| P95 latency | ${ms(m.p95Ms)} | ${ms(t?.p95MsMax)} | ${ms(b?.p95Ms)} |`);
    if (m.slow !== undefined) {
      const share = (slow: number | undefined, n: number | undefined) => (slow !== undefined && n ? slow / n : null);
      lines.push(`| slower than ${ms(t?.p95MsMax)} | ${pct(share(m.slow, m.requests))} | 5.00% | ${pct(share(b?.slow, b?.requests))} |`);
    }
    lines.push(`| requests | ${num(m.requests)} | ≥ ${num(t?.minRequests)} | ${num(b?.requests)} |`, '');
  }
  if (o.verification) lines.push(...verificationSection(o.verification));
  for (const [title, key] of [
    ['Failure', 'failure'],
    ['Rollback', 'rollback'],
    ['Rollback failure', 'rollbackFailure'],
    ['Smoke checks', 'smoke'],
    ['Telemetry', 'telemetry'],
    ['Scan', 'scan'],
    ['Signature', 'signature'],
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

/** Where the scan's findings are in GitHub's Security tab, or why they are not there. */
function codeScanningRows(cs: Release['outcome']['codeScanning']): string[] {
  if (!cs) return [];
  if (cs.state !== 'uploaded') return [`| Code scanning | ${cs.state}: ${cs.reason ?? ''} |`];
  const link = cs.analysesUrl ?? cs.url;
  const state = cs.gaveUpAt ? 'not followed to the end' : (cs.processing ?? 'pending');
  const why = cs.reason ? `: ${cs.reason}` : '';
  return [`| Code scanning | SARIF ${cs.sarifId ?? ''} (${cs.category ?? ''}, ${state}${why})${link ? ` — ${link}` : ''} |`];
}
