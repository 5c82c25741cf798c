/**
 * The scan gate's judgement of one finished Trivy run, shared by image and manifest releases: parsed,
 * judged by the policy, cached per digest and policy, and kept in a bounded form for people and issues.
 */
import { evaluateScan, parseTrivyReport, verdictCacheKey, verdictStatusLine, type ScanVerdict } from '../../scan-policy/index.js';
import type { ScanRecord } from '../../domain/release.js';
import type { Result } from '../../domain/result.js';
import type { CachedVerdict } from '../../ports.js';
import { addSeconds, type StepContext } from './common.js';

export interface Judged {
  outcome: 'pass' | 'blocked';
  summary: string;
  scan: ScanRecord;
}

/** A verdict the gate already reached for this digest under this policy, while it is fresh. */
export const cachedVerdict = (c: StepContext, digest: string): Promise<CachedVerdict | undefined> =>
  c.d.scanCache.get(verdictCacheKey(digest, c.d.settings.scanPolicy), c.now);

/** Judge a run's report; an unreadable report is an error (the caller retries or blocks: fail closed). */
export async function judgeReport(c: StepContext, digest: string, runId: string, report: unknown): Promise<Result<Judged, string>> {
  const { d } = c;
  const parsed = parseTrivyReport(report);
  if (!parsed.ok) return { ok: false, error: `scan run ${runId} produced no readable Trivy report: ${parsed.error.message}` };
  const verdict = evaluateScan(parsed.value, d.settings.scanPolicy, { now: c.now });
  const summary = verdictStatusLine(verdict);
  const scan = scanRecord(verdict, runId);
  await d.scanCache.put(verdictCacheKey(digest, d.settings.scanPolicy), {
    outcome: verdict.outcome,
    summary,
    verdict: scan,
    scannedAt: c.now.toISOString(),
    // An ignore entry that expires sooner shortens the cache: the verdict must be re-evaluated then.
    expiresAt: earliest(addSeconds(c.now, d.settings.scanCacheTtlHours * 3600), verdict.reevaluateAfter).toISOString(),
  });
  return { ok: true, value: { outcome: verdict.outcome, summary, scan } };
}

function earliest(a: Date, iso: string | undefined): Date {
  const b = iso ? new Date(iso) : undefined;
  return b && !Number.isNaN(b.getTime()) && b < a ? b : a;
}

/** What the release record keeps of a verdict: enough for people and issues, bounded in size. */
function scanRecord(v: ScanVerdict, runId: string): ScanRecord {
  return {
    runId,
    outcome: v.outcome,
    counts: v.counts,
    blocking: v.blocking.slice(0, 20).map((f) => ({
      id: f.id,
      severity: f.severity,
      pkg: f.pkgName,
      installed: f.installedVersion,
      fixed: f.fixedVersion,
      target: f.target,
    })),
    blockingTotal: v.blocking.length,
    ignored: v.ignored.slice(0, 20).map((i) => ({ id: i.finding.id, reason: i.reason })),
    staleIgnores: v.staleIgnores,
    trivy: v.trivy,
    policy: v.policy,
    notes: v.notes,
  };
}
