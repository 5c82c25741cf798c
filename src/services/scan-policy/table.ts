import { SEVERITIES } from './severity.js';
import { verdictStatusLine } from './summary.js';
import { type Finding, type IgnoreReason, type ScanVerdict } from './verdict.js';

/** A plain-text rendering of a verdict for people at a terminal (the CLI's `--format table`). */
export function renderVerdictTable(v: ScanVerdict): string {
  const out: string[] = [];
  const p = v.policy;
  out.push(
    `${v.outcome === 'pass' ? 'PASS' : 'BLOCKED'}  ${v.artifact.name ?? '(unnamed artifact)'}${v.artifact.os ? ` [${v.artifact.os}]` : ''}`,
  );
  out.push(
    `policy: block ${p.severities.join(',')}; ignore-unfixed ${p.ignoreUnfixed ? 'on' : 'off'}; secrets ${p.blockSecrets ? 'block' : 'ignored'}; ` +
      `misconfigurations ${p.blockMisconfigAt ? `block at ${p.blockMisconfigAt}+` : 'ignored'}; ignorefile ${p.ignoreFile ?? 'none'}`,
  );
  out.push(
    `trivy: ${v.trivy.version ?? 'version unknown'}; DB: ${v.trivy.db ? JSON.stringify(v.trivy.db) : 'unknown (not in the report)'}`,
  );
  out.push(
    `found: vulnerabilities ${counts(v.counts.vulnerabilities)}; misconfigurations ${counts(v.counts.misconfigurations)}; secrets ${counts(v.counts.secrets)}`,
  );
  if (v.blocking.length > 0) {
    out.push(
      '',
      `Blocking (${v.blocking.length}):`,
      ...table([['SEVERITY', 'KIND', 'ID', 'PACKAGE', 'INSTALLED', 'FIXED', 'TARGET'], ...v.blocking.map(row)]),
    );
  }
  if (v.ignored.length > 0) {
    out.push(
      '',
      `Ignored (${v.ignored.length}):`,
      ...v.ignored.map((i) =>
        `  ${i.finding.severity} ${i.finding.id} ${i.finding.pkgName ?? ''} in ${i.finding.target}: ${why(i.reason)}`.replace(
          '  in',
          ' in',
        ),
      ),
    );
  }
  if (v.staleIgnores.length > 0) {
    out.push(
      '',
      `Stale ignore entries (expired, no longer applied) (${v.staleIgnores.length}):`,
      ...v.staleIgnores.map((s) => `  ${s.id} expired ${s.expiredAt} (${s.file}${s.line ? `:${s.line}` : ''})`),
    );
  }
  for (const w of v.ignoreWarnings) out.push(`warning: ${w}`);
  for (const n of v.notes) out.push(`note: ${n}`);
  out.push('', verdictStatusLine(v));
  return out.join('\n') + '\n';
}

function counts(c: Record<string, number>): string {
  const parts = [...SEVERITIES]
    .reverse()
    .filter((s) => (c[s] ?? 0) > 0)
    .map((s) => `${s} ${c[s]}`);
  return parts.length ? parts.join(', ') : 'none';
}

const row = (f: Finding): string[] => [f.severity, f.kind, f.id, f.pkgName ?? '', f.installedVersion ?? '', f.fixedVersion ?? '', f.target];

function why(r: IgnoreReason): string {
  if (r.by === 'unfixed') return `unfixed (status ${r.status})`;
  const where = `${r.file}${r.line ? `:${r.line}` : ''}`;
  return `ignore entry ${r.id} (${where})${r.statement ? ` "${r.statement}"` : ''}${r.expiredAt ? ` until ${r.expiredAt}` : ''}`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => '  ' + r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  '));
}
