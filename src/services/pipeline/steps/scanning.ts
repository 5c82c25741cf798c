/** scanning: the Trivy gate on the exact digest. Fails closed: no verdict, no deploy. */
import { evaluateScan, parseTrivyReport, verdictCacheKey, verdictStatusLine, type ScanVerdict } from '../../scan-policy/index.js';
import type { ScanRecord } from '../../domain/release.js';
import { wait, type Decision } from '../decision.js';
import { acquireSlot, addSeconds, finish, retryUntil, startScan, type StepContext } from './common.js';

export async function scanning(c: StepContext): Promise<Decision> {
  const { r, d } = c;
  const runId = r.progress.scanRunId ?? '';
  const attempt = r.progress.scanAttempt ?? 1;
  const deadline = addSeconds(r.progress.scanStartedAt ?? r.createdAt, d.settings.scanDeadlineSeconds);
  const retryOrBlock = (why: string): Promise<Decision> =>
    attempt <= d.settings.scanRetries
      ? startScan(c, attempt + 1)
      : finish(c, 'blocked', `${why} (fail closed after ${attempt} attempt${attempt > 1 ? 's' : ''})`, {});

  const res = await d.scanner.get(runId);
  if (!res.ok)
    return retryUntil(c, res.error, { on: 'scan', for: `run ${runId}`, deadline, pollSeconds: d.settings.scanPollSeconds }, (e) =>
      retryOrBlock(`scan run ${runId} could not be read: ${e.message}`),
    );
  const run = res.value;
  if (run.state === 'running') {
    if (c.now > deadline) return retryOrBlock(`scan run ${runId} did not finish within ${d.settings.scanDeadlineSeconds} s`);
    return wait('scan', `run ${runId}`, deadline, d.settings.scanPollSeconds);
  }
  if (run.state === 'failed') return retryOrBlock(`scan run ${runId} failed: ${run.reason}`);

  const report = parseTrivyReport(run.report);
  if (!report.ok) return retryOrBlock(`scan run ${runId} produced no readable Trivy report: ${report.error.message}`);
  const verdict = evaluateScan(report.value, d.settings.scanPolicy, { now: c.now });
  const summary = verdictStatusLine(verdict);
  const scan = scanRecord(verdict, runId);
  await d.scanCache.put(verdictCacheKey(r.image?.digest ?? '', d.settings.scanPolicy), {
    outcome: verdict.outcome,
    summary,
    verdict: scan,
    scannedAt: c.now.toISOString(),
    // An ignore entry that expires sooner shortens the cache: the verdict must be re-evaluated then.
    expiresAt: earliest(addSeconds(c.now, d.settings.scanCacheTtlHours * 3600), verdict.reevaluateAfter).toISOString(),
  });
  if (verdict.outcome === 'blocked') return finish(c, 'blocked', `scan gate: ${summary}`, {}, { outcome: { scan } });
  return acquireSlot(c, `scan gate: ${summary}`, { outcome: { scan } });
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
