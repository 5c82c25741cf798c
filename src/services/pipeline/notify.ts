/**
 * Tell GitHub about transitions: commit statuses, the Deployments API, and an issue when a
 * release is rolled back, fails or stays unverified. Notifications never block the pipeline;
 * a failed one is logged and, for terminal releases, retried later.
 */
import type { Phase, Release } from '../domain/release.js';
import { isTerminal } from '../domain/release.js';
import type { CommitState, DeploymentState, Logger } from '../ports.js';
import type { Result } from '../domain/result.js';
import type { PipelineDeps } from './deps.js';
import { issueFor } from './evidence.js';

type Notice = 'commit-status' | 'deployment' | 'issue';
const MAX_NOTIFY_ATTEMPTS = 6;

const statusUrlOf = (d: PipelineDeps, r: Release) => `${d.settings.publicUrl.replace(/\/$/, '')}/api/deployments/${r.id}`;

function commitStatus(r: Release, from: Phase | null): { context: string; state: CommitState; description: string } | undefined {
  const last = r.timeline[r.timeline.length - 1]?.reason ?? '';
  if (r.kind === 'build') {
    if (r.phase === 'building') return { context: 'tailspin-deployer/build', state: 'pending', description: last };
    if (r.phase === 'succeeded') return { context: 'tailspin-deployer/build', state: 'success', description: last };
    if (r.phase === 'failed') return { context: 'tailspin-deployer/build', state: 'failure', description: last };
    return undefined;
  }
  if (r.phase === 'scanning')
    return { context: 'tailspin-deployer/scan', state: 'pending', description: `scanning ${r.image?.digest ?? ''}` };
  if (from === 'scanning' || (from === 'queued' && r.outcome.scan)) {
    if (r.phase === 'blocked') return { context: 'tailspin-deployer/scan', state: 'failure', description: last };
    if (r.phase === 'deploying') return { context: 'tailspin-deployer/scan', state: 'success', description: last };
  }
  const ctx = `tailspin-deployer/deploy-${r.environment}`;
  const map: Partial<Record<Phase, CommitState>> = {
    deploying: 'pending',
    succeeded: 'success',
    rolled_back: 'failure',
    failed: 'error',
    unverified: 'error',
    superseded: 'error',
  };
  const state = map[r.phase];
  if (!state) return undefined;
  if (r.phase === 'superseded' && !r.progress.githubDeploymentId) return undefined;
  return { context: ctx, state, description: last };
}

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

async function run(
  d: PipelineDeps,
  r: Release,
  from: Phase | null,
  notice: Notice,
  patch: Record<string, unknown>,
): Promise<Result<unknown> | undefined> {
  const last = r.timeline[r.timeline.length - 1]?.reason ?? r.phase;
  if (notice === 'commit-status') {
    const s = commitStatus(r, from);
    if (!s || !r.commit) return undefined;
    return d.source.setCommitStatus(r.commit, s.context, s.state, s.description, statusUrlOf(d, r));
  }
  if (notice === 'deployment') {
    const state = DEPLOYMENT_STATES[r.phase];
    if (!state || r.kind === 'build') return undefined;
    let id = (patch.githubDeploymentId ?? r.progress.githubDeploymentId) as number | undefined;
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
      patch.githubDeploymentId = id;
    }
    return d.source.setDeploymentStatus(id, state, last.slice(0, 140), undefined, statusUrlOf(d, r));
  }
  // Someone must hear about every bad ending; a scan block has no commit to carry a status when it came from ACR.
  const blockedByScan = r.phase === 'blocked' && (r.outcome.scan as { outcome?: string } | undefined)?.outcome === 'blocked';
  if ((!['rolled_back', 'failed', 'unverified'].includes(r.phase) && !blockedByScan) || r.kind === 'build') return undefined;
  const issue = await d.source.ensureIssue(issueFor(r, statusUrlOf(d, r)));
  if (issue.ok) patch.issueUrl = issue.value.url;
  return issue;
}

async function runAll(d: PipelineDeps, r: Release, from: Phase | null, notices: Notice[], log: Logger) {
  const patch: Record<string, unknown> = {};
  const failed: Notice[] = [];
  let retryAfterMs = 30_000;
  for (const n of notices) {
    const res = await run(d, r, from, n, patch).catch((e: unknown) => ({
      ok: false as const,
      error: { kind: 'transient' as const, system: 'github', message: e instanceof Error ? e.message : String(e) },
    }));
    if (res && !res.ok) {
      log.warn('notification failed', { notice: n, phase: r.phase, error_kind: res.error.kind, error: res.error.message });
      if (res.error.kind === 'transient' || res.error.kind === 'rate-limited') {
        failed.push(n);
        if ('retryAfterMs' in res.error && typeof res.error.retryAfterMs === 'number')
          retryAfterMs = Math.max(retryAfterMs, res.error.retryAfterMs);
      }
    }
  }
  return { patch, failed, retryAfterMs };
}

/** Persist what notifications produced (deployment id, issue URL, what still has to be sent). */
async function record(
  d: PipelineDeps,
  id: string,
  patch: Record<string, unknown>,
  pending: Notice[],
  attempts: number,
  log: Logger,
): Promise<void> {
  for (let i = 0; i < 5; i++) {
    const cur = await d.store.get(id);
    if (!cur) return;
    const links = {
      ...((cur.outcome.links as Record<string, string> | undefined) ?? {}),
      ...(typeof patch.issueUrl === 'string' ? { issue: patch.issueUrl } : {}),
    };
    const next: Release = {
      ...cur,
      progress: {
        ...cur.progress,
        ...(patch.githubDeploymentId ? { githubDeploymentId: patch.githubDeploymentId } : {}),
        notifyPending: pending,
        notifyAttempts: attempts,
      },
      outcome: { ...cur.outcome, links },
    };
    const saved = await d.store.save(next, {}, d.clock.now());
    if (saved.ok) return;
  }
  log.warn('could not record notification results after repeated conflicts', { release_id: id });
}

export async function notifyTransition(d: PipelineDeps, r: Release, from: Phase, log: Logger): Promise<void> {
  const notices: Notice[] = ['commit-status', 'deployment', 'issue'];
  const { patch, failed, retryAfterMs } = await runAll(d, r, from, notices, log);
  if (Object.keys(patch).length === 0 && failed.length === 0 && !(r.progress.notifyPending as Notice[] | undefined)?.length) return;
  await record(d, r.id, patch, isTerminal(r.phase) ? failed : [], failed.length ? 1 : 0, log);
  if (failed.length && isTerminal(r.phase))
    await d.queue.enqueue({ releaseId: r.id, correlationId: r.correlationId }, { delaySeconds: Math.ceil(retryAfterMs / 1000) });
}

/** A terminal release whose notifications failed: send them again, a bounded number of times. */
export async function retryNotifications(d: PipelineDeps, r: Release, _now: Date, log: Logger): Promise<void> {
  const pending = (r.progress.notifyPending as Notice[] | undefined) ?? [];
  if (pending.length === 0) return;
  const attempts = Number(r.progress.notifyAttempts ?? 1) + 1;
  const from = r.timeline[r.timeline.length - 1]?.from ?? null;
  const { patch, failed, retryAfterMs } = await runAll(d, r, from, pending, log);
  const giveUp = attempts >= MAX_NOTIFY_ATTEMPTS;
  if (giveUp && failed.length) log.error('notifications abandoned after repeated failures', { notices: failed, phase: r.phase });
  await record(d, r.id, patch, giveUp ? [] : failed, attempts, log);
  if (failed.length && !giveUp)
    await d.queue.enqueue(
      { releaseId: r.id, correlationId: r.correlationId },
      { delaySeconds: Math.ceil((retryAfterMs * attempts) / 1000) },
    );
}
