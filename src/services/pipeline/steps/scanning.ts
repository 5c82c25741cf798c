/** scanning: the Trivy gate on the exact digest. Fails closed: no verdict, no deploy. */
import { wait, type Decision } from '../decision.js';
import { addSeconds, finish, retryUntil, startScan, type StepContext } from './common.js';
import { afterScan, afterScanPassed, slotAfterGates } from './signature-gate.js';
import { judgeReport } from './scan-gate.js';
import { uploadSarif } from './after-gate.js';

export async function scanning(c: StepContext): Promise<Decision> {
  const { r, d } = c;
  const runId = r.progress.scanRunId ?? '';
  const attempt = r.progress.scanAttempt ?? 1;
  const deadline = addSeconds(r.progress.scanStartedAt ?? r.createdAt, d.settings.scanDeadlineSeconds);
  const retryOrBlock = (why: string): Promise<Decision> =>
    attempt <= d.settings.scanRetries
      ? startScan(c, attempt + 1)
      : finish(c, 'blocked', `${why} (fail closed after ${attempt} attempt${attempt > 1 ? 's' : ''})`, {});

  // Every gate passed and the deploy slot is busy: only the slot is looked at again.
  const waiting = slotAfterGates(c);
  if (waiting) return waiting;
  // The scan gate passed and the signature gate is waiting for the registry: no need to read the run again.
  if (r.wait?.on === 'registry' && r.outcome.scan?.runId === runId && r.outcome.scan.outcome === 'pass')
    return afterScanPassed(c, 'scan gate passed', { outcome: { scan: r.outcome.scan } });

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

  const judged = await judgeReport(c, r.image?.digest ?? '', runId, run.report);
  if (!judged.ok) return retryOrBlock(judged.error);
  const { outcome, summary, scan } = judged.value;
  const codeScanning = await uploadSarif(c, run.report);
  const sarif = codeScanning ? { codeScanning } : {};
  return afterScan(c, outcome, `scan gate: ${summary}`, { outcome: { scan, ...sarif } });
}
