/**
 * Tell GitHub about transitions: commit statuses, the Deployments API, and an issue when a
 * release is rolled back, fails, stays unverified or is blocked by the scan or signature gate. Notifications
 * never block the pipeline; this module only talks to GitHub and reports what to record and when
 * to try again — the reconcile loop persists and schedules that. The notices of an ended release
 * are sent until GitHub takes them (backoff from NOTIFY_RETRY_SECONDS, doubling, capped at
 * NOTIFY_RETRY_MAX_SECONDS) or NOTIFY_DEADLINE_HOURS after the release ended, then given up loudly.
 */
import {
  isTerminal,
  NOTICES,
  SARIF_NOTICE,
  type CodeScanningRecord,
  type Notice,
  type NotifyProgress,
  type Phase,
  type Release,
  type ReleaseOutcome,
} from '../domain/release.js';
import type { CommitState, DeploymentState, Logger } from '../ports.js';
import type { AdapterError, Result } from '../domain/result.js';
import type { PipelineDeps, PipelineSettings } from './deps.js';
import { retryable } from './decision.js';
import { blockedBySignature, issueFor } from './evidence.js';
import { followSarifOnce, linkedByIssue, withSarif } from './code-scanning.js';

/** What sending notices produced: what to record on the release, and when to send the failed ones again. */
export interface NoticeReport {
  progress: NotifyProgress;
  links: Record<string, string>;
  /** The SARIF follow's progress (code-scanning.ts), kept on the release. */
  codeScanning?: CodeScanningRecord;
  /** Send what is still pending again after this long (progress.notifyDueAt says when). */
  resendInSeconds?: number;
  /** The deadline passed with notices GitHub never took. */
  abandoned?: NonNullable<ReleaseOutcome['notifyAbandoned']>;
}

/** Found while sending: the GitHub deployment created, the issue opened. */
interface Found {
  githubDeploymentId?: number;
  issueUrl?: string;
  codeScanning?: CodeScanningRecord;
}

const statusUrlOf = (d: PipelineDeps, r: Release) => `${d.settings.publicUrl.replace(/\/$/, '')}/api/deployments/${r.id}`;
const lastReason = (r: Release): string | undefined => r.timeline[r.timeline.length - 1]?.reason;

function commitStatus(r: Release, from: Phase | null): { context: string; state: CommitState; description: string } | undefined {
  const last = lastReason(r) ?? '';
  if (r.kind === 'version') {
    const version: Partial<Record<Phase, CommitState>> = {
      building: 'pending',
      scanning: 'pending',
      succeeded: 'success',
      blocked: 'failure',
      failed: 'error',
    };
    const state = version[r.phase];
    return state ? { context: `tailspin-deployer/version-${r.app}`, state, description: `${r.version ?? ''}: ${last}` } : undefined;
  }
  if (r.kind === 'build') {
    const build: Partial<Record<Phase, CommitState>> = { building: 'pending', succeeded: 'success', failed: 'failure' };
    const state = build[r.phase];
    return state ? { context: 'tailspin-deployer/build', state, description: last } : undefined;
  }
  if (r.phase === 'scanning')
    return { context: 'tailspin-deployer/scan', state: 'pending', description: `scanning ${r.image?.digest ?? ''}` };
  if (blockedBySignature(r)) return { context: 'tailspin-deployer/signature', state: 'failure', description: last };
  if (from === 'scanning' || (from === 'queued' && r.outcome.scan)) {
    if (r.phase === 'blocked') return { context: 'tailspin-deployer/scan', state: 'failure', description: last };
    if (r.phase === 'deploying') return { context: 'tailspin-deployer/scan', state: 'success', description: last };
  }
  const state = DEPLOY_STATUS[r.phase];
  if (!state) return undefined;
  if (r.phase === 'superseded' && !r.progress.githubDeploymentId) return undefined;
  return { context: `tailspin-deployer/deploy-${r.environment}`, state, description: last };
}

const DEPLOY_STATUS: Partial<Record<Phase, CommitState>> = {
  deploying: 'pending',
  succeeded: 'success',
  rolled_back: 'failure',
  failed: 'error',
  unverified: 'error',
  superseded: 'error',
};

const DEPLOYMENT_STATES: Partial<Record<Phase, DeploymentState>> = {
  deploying: 'in_progress',
  verifying: 'in_progress',
  rolling_back: 'in_progress',
  succeeded: 'success',
  rolled_back: 'failure',
  failed: 'error',
  unverified: 'error',
  superseded: 'inactive',
  blocked: 'failure',
};

/** Endings someone must hear about even without a commit to carry a status (a scan block from ACR). */
const ISSUE_PHASES: readonly Phase[] = ['rolled_back', 'failed', 'unverified'];

async function send(d: PipelineDeps, r: Release, from: Phase | null, notice: Notice, found: Found): Promise<Result<unknown> | undefined> {
  if (notice === 'commit-status') {
    const s = commitStatus(r, from);
    if (!s || !r.commit) return undefined;
    return d.source.setCommitStatus(r.commit, s.context, s.state, s.description, statusUrlOf(d, r));
  }
  if (notice === 'deployment') {
    const state = DEPLOYMENT_STATES[r.phase];
    if (!state || r.kind === 'build' || r.kind === 'version') return undefined;
    let id = found.githubDeploymentId ?? r.progress.githubDeploymentId;
    if (!id) {
      if (r.phase !== 'deploying') return undefined;
      const created = await d.source.createDeployment({
        ref: r.commit ?? r.manifestCommit ?? d.catalog.deployBranch,
        environment: r.environment,
        description: `${r.app} ${r.image?.digest ?? r.manifestCommit ?? ''}`.trim(),
        payload: { releaseId: r.id, app: r.app, ...(r.image ? { digest: r.image.digest } : {}) },
      });
      if (!created.ok) return created;
      id = created.value.id;
      found.githubDeploymentId = id;
    }
    return d.source.setDeploymentStatus(id, state, (lastReason(r) ?? r.phase).slice(0, 140), undefined, statusUrlOf(d, r));
  }
  if (notice === SARIF_NOTICE) {
    const issueUrl = found.issueUrl ?? r.outcome.links?.issue;
    const f = await followSarifOnce({ ...d, now: d.clock.now() }, found.codeScanning ?? r.outcome.codeScanning, issueUrl);
    if (f.record) found.codeScanning = f.record;
    return f.result;
  }
  const blockedByGate = r.phase === 'blocked' && (r.outcome.scan?.outcome === 'blocked' || blockedBySignature(r));
  // A version release's digest is the one its image release gated: that release tells of a block.
  if ((!ISSUE_PHASES.includes(r.phase) && !blockedByGate) || r.kind === 'build' || r.kind === 'version') return undefined;
  const issue = await d.source.ensureIssue(issueFor(r, statusUrlOf(d, r)));
  if (issue.ok) {
    found.issueUrl = issue.value.url;
    // Its body carries the analysis link when the SARIF's processing is known: no comment needed for it.
    const linked = linkedByIssue(found.codeScanning ?? r.outcome.codeScanning, d.clock.now());
    if (linked) found.codeScanning = linked;
  }
  return issue;
}

async function sendAll(d: PipelineDeps, r: Release, from: Phase | null, notices: readonly Notice[], log: Logger) {
  const found: Found = {};
  const failed: Notice[] = [];
  let retryAfterMs: number | undefined;
  let lastError = '';
  for (const n of notices) {
    const res = await send(d, r, from, n, found).catch((e: unknown): Result<never> => ({
      ok: false,
      error: { kind: 'transient', system: 'github', message: e instanceof Error ? e.message : String(e) } satisfies AdapterError,
    }));
    if (res && !res.ok) {
      log.warn('notification failed', { notice: n, phase: r.phase, error_kind: res.error.kind, error: res.error.message });
      if (retryable(res.error)) {
        failed.push(n);
        lastError = `${n}: ${res.error.message}`;
        if (res.error.retryAfterMs !== undefined) retryAfterMs = Math.max(retryAfterMs ?? 0, res.error.retryAfterMs);
      }
    }
  }
  return { found, failed, retryAfterMs, lastError };
}

const recordOf = (found: Found, pending: Notice[], attempts: number): NoticeReport => ({
  progress: {
    ...(found.githubDeploymentId ? { githubDeploymentId: found.githubDeploymentId } : {}),
    notifyPending: pending,
    notifyAttempts: attempts,
  },
  links: found.issueUrl ? { issue: found.issueUrl } : {},
  ...(found.codeScanning ? { codeScanning: found.codeScanning } : {}),
});

/**
 * How long after the `attempt`-th failed try the notices are sent again: doubling from
 * notifyRetrySeconds up to notifyRetryMaxSeconds, never before GitHub's Retry-After, and never
 * past the deadline (the last try is at the deadline itself).
 */
export function resendDelaySeconds(
  s: PipelineSettings,
  attempt: number,
  retryAfterMs: number | undefined,
  untilDeadlineMs: number,
): number {
  const backoff = Math.min(s.notifyRetrySeconds * 2 ** Math.max(0, attempt - 1), s.notifyRetryMaxSeconds);
  const wanted = Math.max(backoff, Math.ceil((retryAfterMs ?? 0) / 1000));
  return Math.max(1, Math.min(wanted, Math.ceil(untilDeadlineMs / 1000)));
}

/** Failed notices of an ended release, kept with when they are due again. */
function schedule(
  d: PipelineDeps,
  found: Found,
  failed: Notice[],
  attempts: number,
  since: string,
  retryAfterMs: number | undefined,
): NoticeReport {
  const now = d.clock.now();
  const deadline = new Date(since).getTime() + d.settings.notifyDeadlineSeconds * 1000;
  const delay = resendDelaySeconds(d.settings, attempts, retryAfterMs, deadline - now.getTime());
  const report = recordOf(found, failed, attempts);
  report.progress.notifySince = since;
  report.progress.notifyDueAt = new Date(now.getTime() + delay * 1000).toISOString();
  return { ...report, resendInSeconds: delay };
}

/** Every notice for a transition; undefined when there is nothing to record. */
export async function notifyTransition(d: PipelineDeps, r: Release, from: Phase, log: Logger): Promise<NoticeReport | undefined> {
  const { found, failed, retryAfterMs } = await sendAll(d, r, from, withSarif(NOTICES, r), log);
  const nothing =
    !found.githubDeploymentId && !found.issueUrl && !found.codeScanning && failed.length === 0 && !r.progress.notifyPending?.length;
  if (nothing) return undefined;
  // Only an ended release keeps failed notices: an active one notifies at its next transition anyway.
  if (!isTerminal(r.phase) || failed.length === 0) return recordOf(found, [], failed.length ? 1 : 0);
  return schedule(d, found, failed, 1, r.progress.notifySince ?? d.clock.now().toISOString(), retryAfterMs);
}

/** An ended release whose notices are pending: send them again until delivered or the deadline passes. */
export async function retryNotifications(d: PipelineDeps, r: Release, log: Logger): Promise<NoticeReport | undefined> {
  const pending = r.progress.notifyPending ?? [];
  if (pending.length === 0) return undefined;
  const attempts = (r.progress.notifyAttempts ?? 1) + 1;
  const from = r.timeline[r.timeline.length - 1]?.from ?? null;
  // Rows written before notifySince was kept ended at their last transition.
  const since = r.progress.notifySince ?? r.timeline.at(-1)?.at ?? d.clock.now().toISOString();
  const { found, failed, retryAfterMs, lastError } = await sendAll(d, r, from, pending, log);
  if (failed.length === 0) return recordOf(found, [], attempts);
  const now = d.clock.now();
  if (now.getTime() < new Date(since).getTime() + d.settings.notifyDeadlineSeconds * 1000)
    return schedule(d, found, failed, attempts, since, retryAfterMs);
  log.error('notifications abandoned: GitHub did not take them before the deadline; nobody there was told', {
    notices: failed,
    phase: r.phase,
    attempts,
    since,
    error: lastError,
  });
  return { ...recordOf(found, [], attempts), abandoned: { notices: failed, at: now.toISOString(), error: lastError } };
}
