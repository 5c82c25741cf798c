import { SEVERITIES } from './severity.js';
import { type ScanVerdict } from './verdict.js';

/** GitHub rejects commit-status descriptions longer than 140 characters. */
export const COMMIT_STATUS_MAX = 140;

const clip = (s: string, max: number): string => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

/** e.g. "blocked: 2 CRITICAL, 5 HIGH (CVE-2019-14697 in musl +6 more)" or "passed: no HIGH/CRITICAL findings". */
export function verdictStatusLine(verdict: ScanVerdict, max = COMMIT_STATUS_MAX): string {
  if (verdict.outcome === 'pass') {
    const what =
      verdict.policy.severities.length === SEVERITIES.length ? 'no findings' : `no ${verdict.policy.severities.join('/')} findings`;
    const extras = [
      verdict.ignored.length > 0 && `${verdict.ignored.length} ignored`,
      verdict.staleIgnores.length > 0 && `${verdict.staleIgnores.length} stale ignore entries`,
    ].filter(Boolean);
    return clip(`passed: ${what}${extras.length ? ` (${extras.join(', ')})` : ''}`, max);
  }
  const counts = [...SEVERITIES]
    .reverse()
    .filter((s) => verdict.counts.blocking[s] > 0)
    .map((s) => `${verdict.counts.blocking[s]} ${s}`)
    .join(', ');
  const first = verdict.blocking[0];
  const where = first ? `${first.id} in ${first.pkgName || first.target}` : '';
  const more = verdict.blocking.length > 1 ? ` +${verdict.blocking.length - 1} more` : '';
  const head = `blocked: ${counts}`;
  // Keep the counts whole; shorten the example if space runs out.
  const room = max - head.length - 3;
  if (!first || room < 8) return clip(head, max);
  return `${head} (${clip(where + more, room)})`;
}
