/**
 * GitHub as a source of approvals (docs/github-approvals.md): team membership for `github-team:`
 * approvers, the approval run that mirrors a pending promotion, its environment reviews, and the
 * answer to the deployer's custom deployment protection rule. Only the fields used are read.
 */
import { z } from 'zod';
import { ok, err, type Result } from '../../domain/result.js';
import { approvalRunTitle, type GitHubReviews, type RunReview, type TeamMembership } from '../../promotion/github-port.js';
import { attempt, parse, type GitHubContext } from './context.js';
import { truncate } from './sanitize.js';

const Membership = z.object({ state: z.enum(['active', 'pending']) });
const Run = z.object({ id: z.number().int(), html_url: z.string(), display_title: z.string().optional() });
const Runs = z.object({ workflow_runs: z.array(Run) });
const Dispatched = z.object({ workflow_run_id: z.number().int(), html_url: z.string() });
const Reviews = z.array(
  z.object({
    state: z.enum(['approved', 'rejected', 'pending']),
    comment: z.string().nullish(),
    user: z.object({ login: z.string() }),
    environments: z.array(z.object({ name: z.string().optional() })),
  }),
);

/** GitHub caps a review comment; ours are one sentence anyway. */
const MAX_GATE_COMMENT = 1000;

export function reviewsOver(ctx: GitHubContext): GitHubReviews {
  const repo = { owner: ctx.owner, repo: ctx.repo };
  const findRun = async (workflow: string, title: string): Promise<Result<{ runId: number; url: string } | undefined>> => {
    const res = await attempt(ctx, 'list-workflow-runs', () =>
      ctx.octokit.rest.actions.listWorkflowRuns({ ...repo, workflow_id: workflow, event: 'workflow_dispatch', per_page: 100 }),
    );
    if (!res.ok) return res;
    const runs = parse(Runs, res.value.data, 'list workflow runs');
    if (!runs.ok) return runs;
    const found = runs.value.workflow_runs.find((r) => r.display_title === title);
    return ok(found ? { runId: found.id, url: found.html_url } : undefined);
  };
  return {
    async teamMembership(org, team, login): Promise<Result<TeamMembership>> {
      const res = await attempt(ctx, 'get-team-membership', () =>
        ctx.octokit.rest.teams.getMembershipForUserInOrg({ org, team_slug: team, username: login }),
      );
      // 404: not a member (or the team is not visible to this credential — the same answer for an approval).
      if (!res.ok) return res.error.kind === 'not-found' ? ok('none') : res;
      const m = parse(Membership, res.value.data, 'team membership');
      return m.ok ? ok(m.value.state) : m;
    },
    async ensureApprovalRun(req) {
      const title = approvalRunTitle(req.promotionId);
      const existing = await findRun(req.workflow, title);
      if (!existing.ok) return existing;
      if (existing.value) return ok(existing.value);
      const res = await attempt(ctx, 'dispatch-workflow', () =>
        ctx.octokit.rest.actions.createWorkflowDispatch({
          ...repo,
          workflow_id: req.workflow,
          ref: req.ref,
          inputs: { promotion: req.promotionId, environment: req.environment },
          return_run_details: true,
        }),
      );
      if (!res.ok) return res;
      const d = Dispatched.safeParse(res.value.data);
      if (d.success) return ok({ runId: d.data.workflow_run_id, url: d.data.html_url });
      // A GitHub without run details answers 204: the run is found by its title (it may take a moment to be listed).
      const again = await findRun(req.workflow, title);
      if (!again.ok) return again;
      return again.value ? ok(again.value) : err({ system: 'github', kind: 'transient', message: `run "${title}" not listed yet` });
    },
    async reviews(runId): Promise<Result<RunReview[]>> {
      const res = await attempt(ctx, 'get-reviews-for-run', () => ctx.octokit.rest.actions.getReviewsForRun({ ...repo, run_id: runId }));
      if (!res.ok) return res;
      const list = parse(Reviews, res.value.data, 'reviews for run');
      if (!list.ok) return list;
      return ok(
        list.value.map((r) => ({
          login: r.user.login,
          state: r.state,
          comment: r.comment ?? '',
          environments: r.environments.flatMap((e) => (e.name ? [e.name] : [])),
        })),
      );
    },
    async run(runId) {
      const res = await attempt(ctx, 'get-workflow-run', () => ctx.octokit.rest.actions.getWorkflowRun({ ...repo, run_id: runId }));
      if (!res.ok) return res.error.kind === 'not-found' ? ok(undefined) : res;
      const r = parse(Run, res.value.data, 'workflow run');
      return r.ok ? ok({ title: r.value.display_title ?? '', url: r.value.html_url }) : r;
    },
    async answerGate(runId, environment, state, comment) {
      const res = await attempt(ctx, 'review-custom-gate', () =>
        ctx.octokit.rest.actions.reviewCustomGatesForRun({
          ...repo,
          run_id: runId,
          environment_name: environment,
          state,
          comment: truncate(comment, MAX_GATE_COMMENT),
        }),
      );
      return res.ok ? ok(undefined) : res;
    },
  };
}
