/**
 * GitHub Actions and teams as far as promotion approvals need them: workflow dispatch (with run
 * details), listing a workflow's runs, a run's environment reviews, answers to a custom deployment
 * protection rule, and team membership. A dispatched run is titled like the repository's approval
 * workflow titles it (`run-name: tailspin promotion ${{ inputs.promotion }}`). Reviews are added by the
 * sandbox (`review`), as a reviewer clicking "Approve and deploy" would; `onEvent` hears what GitHub
 * would deliver as webhooks (deployment_protection_rule on dispatch, deployment_review on a review).
 */
import type { Handler, Reply } from './state.js';
import { notFound, str } from './state.js';
import type { GitHubSpec } from './spec.js';
import type { ActionsState, RunRecord } from './actions-state.js';

type Json = Record<string, unknown>;

type ActionsOperation =
  | 'actions/create-workflow-dispatch'
  | 'actions/list-workflow-runs'
  | 'actions/get-workflow-run'
  | 'actions/get-reviews-for-run'
  | 'actions/review-custom-gates-for-run'
  | 'teams/get-membership-for-user-in-org';

/** A workflow run as GitHub's REST API shows it: the documented example, overlaid with the run. */
export function runObjectOf(spec: GitHubSpec, repo: { owner: string; repo: string; base: string }) {
  const apiRepo = `${repo.base}/repos/${repo.owner}/${repo.repo}`;
  return (r: RunRecord): Json => {
    const [template] = (spec.example('workflow-run-paginated').workflow_runs as Json[]) ?? [];
    return {
      ...template,
      id: r.id,
      name: r.workflow,
      display_title: r.title,
      path: `.github/workflows/${r.workflow}`,
      head_branch: r.ref,
      event: 'workflow_dispatch',
      status: r.gateAnswers.length || r.reviews.length ? 'in_progress' : 'waiting',
      conclusion: null,
      created_at: r.createdAt,
      updated_at: r.createdAt,
      run_started_at: r.createdAt,
      url: `${apiRepo}/actions/runs/${r.id}`,
      html_url: `${repo.base}/_sandbox/${repo.owner}/${repo.repo}/actions/runs/${r.id}`,
    };
  };
}

export function actionsHandlers(a: ActionsState, spec: GitHubSpec, repo: { owner: string; repo: string; base: string }) {
  const apiRepo = `${repo.base}/repos/${repo.owner}/${repo.repo}`;
  const runObject = runObjectOf(spec, repo);
  const htmlRun = (r: RunRecord) => String(runObject(r).html_url);
  const runOf = (id: string | undefined) => a.runs.find((r) => r.id === Number(id));
  const handlers: Record<ActionsOperation, Handler> = {
    'actions/create-workflow-dispatch': (c): Reply => {
      const inputs = Object.fromEntries(Object.entries((c.body.inputs ?? {}) as Json).map(([k, v]) => [k, String(v)]));
      const run = a.dispatch(c.params.workflow_id ?? '', str(c.body.ref) ?? 'main', inputs, c.now);
      if (c.body.return_run_details !== true) return { status: 204 };
      return { status: 200, body: { workflow_run_id: run.id, run_url: `${apiRepo}/actions/runs/${run.id}`, html_url: htmlRun(run) } };
    },
    'actions/list-workflow-runs': (c) => {
      const runs = a.runs.filter((r) => r.workflow === c.params.workflow_id).reverse();
      const per = Math.min(Number(c.query.per_page ?? 30), 100);
      return { status: 200, body: { total_count: runs.length, workflow_runs: runs.slice(0, per).map(runObject) } };
    },
    'actions/get-workflow-run': (c) => {
      const run = runOf(c.params.run_id);
      return run ? { status: 200, body: runObject(run) } : notFound;
    },
    'actions/get-reviews-for-run': (c) => {
      const run = runOf(c.params.run_id);
      if (!run) return notFound;
      const [template] = spec.example('environment-approvals-items') as unknown as Json[];
      const env = ((template?.environments as Json[] | undefined) ?? [])[0] ?? {};
      const user = (template?.user as Json | undefined) ?? {};
      return {
        status: 200,
        body: run.reviews.map((r) => ({
          state: r.state,
          comment: r.comment,
          environments: [{ ...env, name: r.environment }],
          user: { ...user, login: r.login },
        })),
      };
    },
    'actions/review-custom-gates-for-run': (c) => {
      const run = runOf(c.params.run_id);
      if (!run) return notFound;
      run.gateAnswers.push({
        environment: str(c.body.environment_name) ?? '',
        state: str(c.body.state) ?? '',
        comment: str(c.body.comment) ?? '',
        at: c.now,
      });
      return { status: 204 };
    },
    'teams/get-membership-for-user-in-org': (c) => {
      const state = a.teams.get(`${c.params.org}/${c.params.team_slug}`.toLowerCase())?.get((c.params.username ?? '').toLowerCase());
      if (!state) return notFound;
      return {
        status: 200,
        body: { url: `${repo.base}/teams/1/memberships/${c.params.username}`, role: 'member', state },
      };
    },
  };
  return handlers;
}
