/** Commit statuses and the Deployments API: every pipeline transition is reflected on GitHub. */
import { adapterError, err, ok, type Result } from '../../domain/result.js';
import type { CommitState, DeploymentState } from '../../ports.js';
import { attempt, parse, type GitHubContext } from './context.js';
import { MAX_DESCRIPTION, truncate } from './sanitize.js';
import { CommitStatusList, Deployment, DeploymentAccepted } from './schema.js';

/**
 * Ensure semantics: one extra GET (newest first) and skip the POST when the latest status of this
 * context already says the same thing. Saves noise on retries; a status per commit is capped at 1000.
 */
export async function setCommitStatus(
  ctx: GitHubContext,
  commit: string,
  context: string,
  state: CommitState,
  description: string,
  targetUrl?: string,
): Promise<Result<void>> {
  const text = truncate(description, MAX_DESCRIPTION);
  const listed = await attempt(ctx, 'list-statuses', () =>
    ctx.octokit.rest.repos.listCommitStatusesForRef({ owner: ctx.owner, repo: ctx.repo, ref: commit, per_page: 100 }),
  );
  if (!listed.ok) return listed;
  const statuses = parse(CommitStatusList, listed.value.data, 'list commit statuses');
  if (!statuses.ok) return statuses;
  const latest = statuses.value.find((s) => s.context === context);
  if (latest && latest.state === state && (latest.description ?? '') === text && (latest.target_url ?? undefined) === targetUrl) {
    return ok(undefined);
  }
  const created = await attempt(ctx, 'create-status', () =>
    ctx.octokit.rest.repos.createCommitStatus({
      owner: ctx.owner,
      repo: ctx.repo,
      sha: commit,
      state,
      context,
      description: text,
      ...(targetUrl ? { target_url: targetUrl } : {}),
    }),
  );
  return created.ok ? ok(undefined) : created;
}

export async function createDeployment(
  ctx: GitHubContext,
  input: { ref: string; environment: string; description: string; payload: Record<string, unknown> },
): Promise<Result<{ id: number }>> {
  const res = await attempt(ctx, 'create-deployment', () =>
    ctx.octokit.rest.repos.createDeployment({
      owner: ctx.owner,
      repo: ctx.repo,
      ref: input.ref,
      environment: input.environment,
      description: truncate(input.description, MAX_DESCRIPTION),
      payload: input.payload,
      // We deploy a digest the deployer has already scanned; merging the default branch in or
      // waiting on commit checks is not our gate (and would make GitHub answer 202/409).
      auto_merge: false,
      required_contexts: [],
      transient_environment: false,
      production_environment: input.environment === 'prod' || input.environment === 'production',
    }),
  );
  if (!res.ok) return res;
  if (res.value.status === 202) {
    const accepted = DeploymentAccepted.safeParse(res.value.data);
    // Nothing was created (GitHub merged the default branch first); creating again is the fix.
    return err(
      adapterError('github', 'transient', `deployment not created: ${accepted.success ? accepted.data.message : 'accepted'}`, {
        status: 202,
      }),
    );
  }
  const d = parse(Deployment, res.value.data, 'create deployment');
  return d.ok ? ok({ id: d.value.id }) : d;
}

export async function setDeploymentStatus(
  ctx: GitHubContext,
  deploymentId: number,
  state: DeploymentState,
  description: string,
  environmentUrl?: string,
  logUrl?: string,
): Promise<Result<void>> {
  const res = await attempt(ctx, 'create-deployment-status', () =>
    ctx.octokit.rest.repos.createDeploymentStatus({
      owner: ctx.owner,
      repo: ctx.repo,
      deployment_id: deploymentId,
      state,
      description: truncate(description, MAX_DESCRIPTION),
      ...(environmentUrl ? { environment_url: environmentUrl } : {}),
      ...(logUrl ? { log_url: logUrl } : {}),
      // A verified release makes the previous ones of this environment inactive on GitHub.
      auto_inactive: state === 'success',
    }),
  );
  return res.ok ? ok(undefined) : res;
}
