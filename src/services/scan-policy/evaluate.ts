/**
 * The scan gate's decision, as a pure function of (report, policy, now). Vulnerabilities are
 * filtered in Trivy's order (pkg/result/filter.go): severity, then status (--ignore-unfixed), then
 * the ignore file; duplicates within a result are dropped. Misconfigurations and secrets block only
 * when the policy asks for it.
 */
import { type IgnoreEntry, isExpired, expiryTime } from './ignore-file.js';
import { createMatcher, misconfigIds } from './matcher.js';
import { isUnfixed, type ScanPolicy } from './policy.js';
import { type TrivyReport, type TrivyVulnerability } from './schema.js';
import { normalizeSeverity, severityRank, zeroCounts, type Severity } from './severity.js';
import { type Finding, type IgnoredFinding, type IgnoreEntryRef, type ScanVerdict, type TrivyDbInfo } from './verdict.js';

export interface EvaluateOptions {
  now: Date;
  /** DB metadata from the scanner run, when known; the JSON report itself does not carry it. */
  db?: TrivyDbInfo;
}

const vulnFinding = (v: TrivyVulnerability, target: string): Finding => ({
  kind: 'vulnerability',
  id: v.VulnerabilityID,
  severity: normalizeSeverity(v.Severity),
  target,
  pkgName: v.PkgName,
  installedVersion: v.InstalledVersion,
  ...(v.FixedVersion && { fixedVersion: v.FixedVersion }),
  ...(v.Status && { status: v.Status }),
  ...(v.PkgPath && { pkgPath: v.PkgPath }),
  ...(v.PkgIdentifier?.PURL && { purl: v.PkgIdentifier.PURL }),
  ...(v.Title && { title: v.Title }),
});

/** Trivy keeps one of each (ID, package, version, path) per result, preferring the larger FixedVersion. */
function dedupe(vulns: readonly TrivyVulnerability[]): TrivyVulnerability[] {
  const seen = new Map<string, TrivyVulnerability>();
  for (const v of vulns) {
    const key = [v.VulnerabilityID, v.PkgName, v.InstalledVersion, v.PkgPath ?? ''].join('\u0000');
    const old = seen.get(key);
    if (!old || (old.FixedVersion ?? '') < (v.FixedVersion ?? '')) seen.set(key, v);
  }
  return [...seen.values()];
}

// Code-point order, not localeCompare: the verdict must not depend on the host's locale.
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const bySeverityThenId = (a: Finding, b: Finding): number =>
  severityRank(b.severity) - severityRank(a.severity) ||
  cmp(a.id, b.id) ||
  cmp(a.pkgName ?? '', b.pkgName ?? '') ||
  cmp(a.target, b.target);

const entryRef = (file: string, e: IgnoreEntry): IgnoreEntryRef => ({
  file,
  id: e.id,
  sections: e.sections,
  ...(e.line !== undefined && { line: e.line }),
  ...(e.expiredAt !== undefined && { expiredAt: e.expiredAt }),
  ...(e.statement !== undefined && { statement: e.statement }),
});

export function evaluateScan(report: TrivyReport, policy: ScanPolicy, opts: EvaluateOptions): ScanVerdict {
  const file = policy.ignoreFile?.name ?? '';
  const entries = policy.ignoreFile?.entries ?? [];
  const active = entries.filter((e) => !isExpired(e, opts.now));
  const stale = entries.filter((e) => isExpired(e, opts.now));
  const matcher = createMatcher(active);
  const counts = { vulnerabilities: zeroCounts(), misconfigurations: zeroCounts(), secrets: zeroCounts(), blocking: zeroCounts() };
  const blocking: Finding[] = [];
  const ignored: IgnoredFinding[] = [];
  const ignoredBy = (finding: Finding, e: IgnoreEntry): void => {
    ignored.push({
      finding,
      reason: {
        by: 'ignorefile',
        file,
        id: e.id,
        ...(e.line !== undefined && { line: e.line }),
        ...(e.statement && { statement: e.statement }),
        ...(e.expiredAt && { expiredAt: e.expiredAt }),
      },
    });
  };
  const misconfigFloor: Severity | undefined = policy.blockMisconfigAt;

  for (const result of report.Results ?? []) {
    for (const v of dedupe(result.Vulnerabilities ?? [])) {
      const finding = vulnFinding(v, result.Target);
      counts.vulnerabilities[finding.severity]++;
      if (!policy.severities.includes(finding.severity)) continue;
      if (policy.ignoreUnfixed && isUnfixed(v)) {
        ignored.push({ finding, reason: { by: 'unfixed', status: v.Status || 'unknown' } });
        continue;
      }
      const hit = matcher.vulnerability(v.VulnerabilityID, result.Target, v.PkgPath, v.PkgIdentifier?.PURL);
      if (hit) ignoredBy(finding, hit);
      else blocking.push(finding);
    }
    for (const m of result.Misconfigurations ?? []) {
      // Only failed checks are findings; a report written with --include-non-failures has the rest too.
      if (m.Status !== undefined && m.Status !== 'FAIL') continue;
      const finding: Finding = {
        kind: 'misconfiguration',
        id: m.ID,
        severity: normalizeSeverity(m.Severity),
        target: result.Target,
        ...(m.Title && { title: m.Title }),
      };
      counts.misconfigurations[finding.severity]++;
      if (misconfigFloor === undefined || severityRank(finding.severity) < severityRank(misconfigFloor)) continue;
      const hit = matcher.misconfiguration(misconfigIds(m.ID, m.AVDID), result.Target);
      if (hit) ignoredBy(finding, hit);
      else blocking.push(finding);
    }
    for (const s of result.Secrets ?? []) {
      const finding: Finding = {
        kind: 'secret',
        id: s.RuleID,
        severity: normalizeSeverity(s.Severity),
        target: result.Target,
        ...(s.Title && { title: s.Title }),
      };
      counts.secrets[finding.severity]++;
      if (!policy.blockSecrets) continue;
      const hit = matcher.secret(s.RuleID, result.Target);
      if (hit) ignoredBy(finding, hit);
      else blocking.push(finding);
    }
  }
  blocking.sort(bySeverityThenId);
  for (const f of blocking) counts.blocking[f.severity]++;

  const relied = [...matcher.used]
    .map((e) => (e.expiredAt ? expiryTime(e.expiredAt) : undefined))
    .filter((t): t is number => t !== undefined);
  const os = report.Metadata?.OS;
  const notes: string[] = [];
  const version = report.Trivy?.Version ?? null;
  if (version === null) notes.push('the report does not name the Trivy version that produced it');
  if (!opts.db) notes.push('vulnerability DB version unknown: Trivy JSON reports do not record it');
  if (os?.EOSL)
    notes.push(`${[os.Family, os.Name].filter(Boolean).join(' ') || 'the OS'} is end-of-life: new vulnerabilities may go undetected`);
  if (!report.Results?.length) notes.push('the report has no results: nothing was scanned or nothing was found to scan');

  return {
    outcome: blocking.length > 0 ? 'blocked' : 'pass',
    blocking,
    counts,
    ignored,
    staleIgnores: stale.map((e) => entryRef(file, e)),
    unusedIgnores: active.filter((e) => !matcher.used.has(e)).map((e) => entryRef(file, e)),
    ignoreWarnings: policy.ignoreFile?.warnings ?? [],
    ...(relied.length > 0 && { reevaluateAfter: new Date(Math.min(...relied)).toISOString() }),
    artifact: {
      ...(report.ArtifactName && { name: report.ArtifactName }),
      ...(report.ArtifactType && { type: report.ArtifactType }),
      ...(os?.Family && os.Family !== 'none' && { os: `${os.Family} ${os.Name ?? ''}`.trim() }),
      ...(os?.EOSL !== undefined && { eosl: os.EOSL }),
    },
    trivy: { version, db: opts.db ?? null },
    policy: {
      severities: policy.severities,
      ignoreUnfixed: policy.ignoreUnfixed,
      blockSecrets: policy.blockSecrets,
      blockMisconfigAt: policy.blockMisconfigAt ?? null,
      ignoreFile: policy.ignoreFile?.name ?? null,
    },
    notes,
  };
}
