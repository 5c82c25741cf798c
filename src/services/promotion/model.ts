/** A promotion: one verified release of one environment asked to run in the next. Pure data. */
import type { PinnedImage } from '../domain/release.js';

export const PROMOTION_STATES = ['pending', 'promoted', 'rejected', 'stopped', 'superseded'] as const;
export type PromotionState = (typeof PROMOTION_STATES)[number];

/** Promotion ids say what they are: p-<target environment>-<upstream release id>; one per pair, so duplicates find it. */
export const PROMOTION_ID = /^p-[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?-r-[0-9a-z]{1,12}-[0-9a-f]{6}$/;
export const promotionId = (to: string, upstreamReleaseId: string): string => `p-${to}-${upstreamReleaseId}`;

/** Exactly what succeeded upstream: its digest (image releases) or its manifest commit. Never a tag. */
export interface Candidate {
  releaseId: string;
  app: string;
  environment: string;
  kind: 'image' | 'manifest';
  /** The digest for image releases, the manifest commit for manifest releases. */
  target: string;
  image?: PinnedImage;
  commit?: string;
  manifestCommit?: string;
  /** When it ended succeeded upstream: the soak counts from here. */
  succeededAt: string;
}

export interface Approval {
  by: string;
  at: string;
  comment: string;
  /** Where the decision was made, when not through the API: "github" (a required reviewer's review). */
  via?: 'github';
}

export interface PromotionEvent {
  at: string;
  what: 'requested' | 'approved' | 'rejected' | 'stopped' | 'superseded' | 'promoted';
  by?: string;
  comment?: string;
  via?: 'github';
}

/** The promotion mirrored into GitHub (docs/github-approvals.md): its approval run and what GitHub was told. */
export interface GitHubMirror {
  runId: number;
  url: string;
  /** The deployer's custom deployment protection rule, once GitHub asked about this run; answered when the promotion ends. */
  gate?: {
    environment: string;
    /** "<ISO time> <claim id>": a worker claimed the answer (compare-and-swap), so concurrent looks answer once. */
    answering?: string;
    answered?: 'approved' | 'rejected';
    answeredAt?: string;
  };
  /** Reviews in GitHub that the deployer did not count, and why (not an allowed approver, the requester). */
  notCounted?: { login: string; state: string; reason: string; at: string }[];
}

export interface Promotion {
  id: string;
  app: string;
  from: string;
  to: string;
  candidate: Candidate;
  state: PromotionState;
  requestedBy: string;
  requestedAt: string;
  comment: string;
  approvals: Approval[];
  /** Why it ended without a release (rejected, stopped, superseded). */
  reason?: string;
  /** The release it became in the target environment. */
  releaseId?: string;
  /** What it waits for now, in words (soak, approvals, a freeze window). */
  waitingFor?: string;
  /** The audit trail: who did what, when. */
  events: PromotionEvent[];
  github?: GitHubMirror;
  updatedAt: string;
  etag?: string;
}
