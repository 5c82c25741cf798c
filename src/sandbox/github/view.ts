/**
 * Read-only views of what the deployer did to "GitHub": GET /_sandbox (JSON) and
 * GET /_sandbox/issues (plain text), for people following the README walk-through.
 */
import type { GitHubState } from './state.js';

export function renderJson(s: GitHubState): unknown {
  return {
    issues: s.issues,
    statuses: s.statuses,
    deployments: s.deployments,
    // The logs themselves stay out: a SARIF can be megabytes.
    sarifs: s.sarifs.map(({ sarif: _log, ...rest }) => rest),
    // Approval runs of promotions: their reviews and what the deployer answered its protection rule.
    runs: s.actions.runs,
  };
}

export function renderText(s: GitHubState, owner: string, repo: string): string {
  const lines: string[] = [`GitHub sandbox — ${owner}/${repo}`, ''];
  lines.push(`Issues (${s.issues.length})`);
  for (const i of s.issues) {
    lines.push(`  #${i.number} [${i.state}] ${i.title}  labels: ${i.labels.join(', ') || '-'}  (${i.createdAt})`);
    for (const line of (i.body ?? '').split('\n').slice(0, 40)) lines.push(`      ${line}`);
    for (const c of i.comments) {
      lines.push(`    comment ${c.id} (${c.createdAt}):`);
      for (const line of c.body.split('\n').slice(0, 20)) lines.push(`      ${line}`);
    }
  }
  lines.push('', `Commit statuses (${s.statuses.length}, newest last)`);
  for (const st of s.statuses) lines.push(`  ${st.sha.slice(0, 12)} ${st.context}: ${st.state} — ${st.description ?? ''}`);
  lines.push('', `Deployments (${s.deployments.length})`);
  for (const d of s.deployments) {
    lines.push(`  ${d.id} ${d.environment} ref=${d.ref.slice(0, 24)} — ${d.description ?? ''}`);
    for (const st of d.statuses) lines.push(`    ${st.createdAt} ${st.state} ${st.description} ${st.environmentUrl}`);
  }
  return `${lines.join('\n')}\n`;
}
