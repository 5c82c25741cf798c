/**
 * The webhook side of approvals from GitHub: `deployment_review` (a required reviewer decided) and
 * `deployment_protection_rule` (GitHub asks the deployer's rule about a run). Both only point at a run:
 * the decision itself is read from GitHub's API (./github-approvals.ts), so an event that lies — or is
 * replayed, or arrives twice — cannot approve anything; a run the deployer did not start is ignored.
 */
import { once } from '../intake/admission.js';
import { describeZodError } from '../intake/manual.js';
import { DeploymentProtectionRuleEvent, DeploymentReviewEvent, runIdOfCallback } from '../intake/github-deployment-events.js';
import type { Logger } from '../ports.js';
import { adoptRun, answerGate, gateRequested, promotionOfRun, syncReviews } from './github-approvals.js';
import type { PromotionState } from './model.js';
import type { PromotionDeps } from './service.js';

export type ApprovalEventOutcome =
  | {
      kind: 'done';
      promotion: string;
      state: PromotionState;
      counted: string[];
      notCounted: { login: string; reason: string }[];
      unavailable?: string;
    }
  | { kind: 'ignored'; reason: string }
  | { kind: 'duplicate' }
  | { kind: 'malformed'; reason: string };

export async function githubApprovalEvent(
  d: PromotionDeps,
  delivery: string,
  event: 'deployment_review' | 'deployment_protection_rule',
  payload: unknown,
  log: Logger,
): Promise<ApprovalEventOutcome> {
  const gh = d.github;
  if (!gh) return { kind: 'ignored', reason: `${event}: GitHub is not configured here, so approvals cannot be read from it` };
  const parsed =
    event === 'deployment_review' ? DeploymentReviewEvent.safeParse(payload) : DeploymentProtectionRuleEvent.safeParse(payload);
  if (!parsed.success) return { kind: 'malformed', reason: `${event} payload: ${describeZodError(parsed.error)}` };
  const repo = parsed.data.repository.full_name;
  if (repo.toLowerCase() !== d.intake.catalog.repository.toLowerCase())
    return { kind: 'ignored', reason: `repository ${repo} is not deployed here (configured: ${d.intake.catalog.repository})` };
  if ('action' in parsed.data && parsed.data.action === 'requested' && event === 'deployment_review')
    return { kind: 'ignored', reason: 'deployment_review requested: waiting for the reviewers to decide' };
  const runId = 'workflow_run' in parsed.data ? parsed.data.workflow_run.id : runIdOfCallback(parsed.data.deployment_callback_url);
  const environment = 'environment' in parsed.data ? parsed.data.environment : undefined;

  const r = await once(d.intake, 'github', delivery, async (): Promise<{ ignored?: string; outcome: ApprovalEventOutcome }> => {
    const p = (await promotionOfRun(d, runId)) ?? (environment !== undefined ? await adoptRun(d, gh, runId, log) : undefined);
    if (!p) {
      const reason = `no promotion is mirrored to workflow run ${runId}`;
      return { ignored: reason, outcome: { kind: 'ignored', reason } };
    }
    if (environment !== undefined && environment.toLowerCase() !== p.to.toLowerCase()) {
      const reason = `workflow run ${runId} is promotion ${p.id} into ${p.to}, not ${environment}`;
      return { ignored: reason, outcome: { kind: 'ignored', reason } };
    }
    const synced = await syncReviews(d, gh, p, log);
    const after = (await d.promotions.get(p.id)) ?? p;
    const answered = environment !== undefined ? await gateRequested(d, gh, after, environment, log) : await answerGate(d, gh, after, log);
    return {
      outcome: {
        kind: 'done',
        promotion: p.id,
        state: answered.state,
        counted: synced.counted,
        notCounted: synced.notCounted,
        ...(synced.unavailable ? { unavailable: synced.unavailable } : {}),
      },
    };
  });
  if (r.kind === 'duplicate') return { kind: 'duplicate' };
  log.info('github approval event', { event, run_id: runId, outcome: r.result.outcome.kind });
  return r.result.outcome;
}
