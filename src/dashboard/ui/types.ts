/** What the page reads from the API: the server's own types, imported for their shape only. */
import type { ReleaseView } from '../../services/release-view.js';
import type { BoardRow } from '../../services/board.js';
import type { VerificationDecision } from '../../services/verification/decide.js';
import type { Promotion } from '../../services/promotion/model.js';
import type { EnvironmentSpec } from '../../services/promotion/graph.js';

export type { ReleaseView, BoardRow };
export type { LookEvidence } from '../../services/verification/decide.js';

export type { Promotion };

/** GET /api/promotions: newest first, with the graph (each environment's policy and freeze windows). */
export interface PromotionPage {
  promotions: Promotion[];
  environments: Pick<EnvironmentSpec, 'name' | 'from' | 'policy' | 'freeze'>[];
}

export interface ReleasePage {
  releases: ReleaseView[];
  /** The next page's position (opaque): pass back as `cursor`. */
  cursor?: string;
  /** How far history goes (RELEASE_RETENTION_DAYS); `indexing` while older releases are still being indexed. */
  history?: { retentionDays: number | null; keptSince?: string; indexing?: boolean };
}

/**
 * The sequential test's record (issue #12): one row of evidence per sample, the rule's bounds,
 * the baseline comparison and the verdict sentence: the release view's `verification`.
 */
export type VerificationRecord = Pick<
  VerificationDecision,
  'outcome' | 'reason' | 'metrics' | 'samples' | 'atS' | 'rule' | 'evidence' | 'verdict' | 'regressions'
> &
  Partial<Pick<VerificationDecision, 'blame' | 'baseline' | 'decidedBy' | 'windowEnd'>> & {
    app?: string;
    windowS?: number;
  };

export const PHASES = [
  'queued',
  'building',
  'scanning',
  'deploying',
  'verifying',
  'rolling_back',
  'succeeded',
  'blocked',
  'rolled_back',
  'failed',
  'superseded',
  'unverified',
] as const;
export const DOORS = ['github', 'acr', 'manual'] as const;
