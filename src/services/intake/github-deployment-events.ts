/**
 * The two GitHub webhook events that carry approvals (docs/github-approvals.md), only the fields used.
 * Shapes from GitHub's own webhook schemas (@octokit/openapi `x-webhooks`: deployment-review-*,
 * deployment-protection-rule-requested); the tests hold these parsers to them.
 */
import { z } from 'zod';

const Repository = z.object({ full_name: z.string().min(1) });

/** A required reviewer approved or rejected (or was asked to review) a run waiting on an environment. */
export const DeploymentReviewEvent = z.object({
  action: z.enum(['approved', 'rejected', 'requested']),
  workflow_run: z.object({ id: z.number().int().positive() }),
  repository: Repository,
});
export type DeploymentReviewEvent = z.infer<typeof DeploymentReviewEvent>;

/**
 * GitHub asks a custom deployment protection rule (the deployer's GitHub App) about a run. The run is
 * read from `deployment_callback_url` (…/repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule);
 * the deployer never calls that URL itself, it answers through its own API client and repository.
 */
export const DeploymentProtectionRuleEvent = z.object({
  action: z.literal('requested'),
  environment: z.string().min(1).max(255),
  deployment_callback_url: z
    .string()
    .regex(/\/actions\/runs\/\d{1,20}\/deployment_protection_rule$/, 'expected …/actions/runs/{run_id}/deployment_protection_rule'),
  repository: Repository,
});
export type DeploymentProtectionRuleEvent = z.infer<typeof DeploymentProtectionRuleEvent>;

export const runIdOfCallback = (url: string): number => Number(/\/actions\/runs\/(\d+)\/deployment_protection_rule$/.exec(url)?.[1]);

export const APPROVAL_EVENTS = ['deployment_review', 'deployment_protection_rule'] as const;
export const isApprovalEvent = (event: string): event is (typeof APPROVAL_EVENTS)[number] =>
  (APPROVAL_EVENTS as readonly string[]).includes(event);
