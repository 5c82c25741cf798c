/**
 * What promotion needs from GitHub beyond statuses and deployments: team membership (approvers named
 * `github-team:<org>/<slug>`) and the approval run that mirrors a pending promotion into an
 * environment with required reviewers or the deployer's custom protection rule (docs/github-approvals.md).
 * Implemented in adapters/github/reviews.ts.
 */
import type { Result } from '../domain/result.js';

export type TeamMembership = 'active' | 'pending' | 'none';

/** One entry of a run's environment review log (GET …/actions/runs/{run_id}/approvals). */
export interface RunReview {
  login: string;
  state: 'approved' | 'rejected' | 'pending';
  comment: string;
  environments: string[];
}

export interface ApprovalRunRequest {
  /** The workflow file (e.g. tailspin-promotion.yml) whose job names the environment. */
  workflow: string;
  ref: string;
  promotionId: string;
  environment: string;
}

export interface GitHubReviews {
  teamMembership(org: string, team: string, login: string): Promise<Result<TeamMembership>>;
  /** The promotion's approval run: found by its title (`run-name`), else dispatched. Safe to repeat. */
  ensureApprovalRun(req: ApprovalRunRequest): Promise<Result<{ runId: number; url: string }>>;
  reviews(runId: number): Promise<Result<RunReview[]>>;
  /** A run's title and page (undefined: no such run), to recognise an approval run GitHub asks about first. */
  run(runId: number): Promise<Result<{ title: string; url: string } | undefined>>;
  /** Answer the deployer's custom deployment protection rule for this run and environment. */
  answerGate(runId: number, environment: string, state: 'approved' | 'rejected', comment: string): Promise<Result<void>>;
}

/** The approval run's title: how a crashed dispatch is found again (the workflow sets `run-name` to it). */
export const approvalRunTitle = (promotionId: string): string => `tailspin promotion ${promotionId}`;
export const promotionOfTitle = (title: string): string | undefined => /^tailspin promotion (p-[a-z0-9-]{1,120})$/.exec(title)?.[1];
