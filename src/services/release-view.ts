/** The public shape of a release (GET /api/deployments…): stable, documented, no internals. */
import type { Release, ReleaseOutcome } from './domain/release.js';
import { pinnedImage } from './domain/image-ref.js';

export interface ReleaseView {
  id: string;
  app: string;
  environment: string;
  kind: Release['kind'];
  phase: Release['phase'];
  image?: string;
  tag?: string;
  commit?: string;
  manifestCommit?: string;
  /** The semantic version (git tag vX.Y.Z) the release carries. */
  version?: string;
  source: Release['source'];
  /** Promotion releases: the promotion, who requested and approved it, and the upstream release's evidence. */
  promotion?: Release['promotion'];
  correlationId: string;
  createdAt: string;
  updatedAt: string;
  waitingFor?: Release['wait'];
  scan?: ReleaseOutcome['scan'];
  measurements?: ReleaseOutcome['measurements'];
  /**
   * The telemetry decision: the verdict sentence, the rule (healthy/failing rates, boundaries,
   * error budgets), and per sample the requests, failures and slow requests, each metric's ln
   * likelihood ratio and which side of the boundaries it is on.
   */
  verification?: ReleaseOutcome['verification'];
  rollback?: ReleaseOutcome['rollback'];
  links: Record<string, string>;
  outcome: Omit<ReleaseOutcome, 'scan' | 'measurements' | 'verification' | 'rollback' | 'links'>;
  timeline?: Release['timeline'];
  statusUrl: string;
}

/** Where a release's commit and GitHub Deployment are shown (the repository the catalog deploys from). */
export interface GithubLinks {
  /** https://github.com, or a GHES host. */
  web: string;
  /** The REST API base (GITHUB_API_URL). */
  api: string;
  /** owner/name */
  repository: string;
}

/** The web base of a GitHub REST API URL: api.github.com → github.com, GHES https://host/api/v3 → https://host. */
export function githubLinks(apiUrl: string, repository: string): GithubLinks {
  const api = apiUrl.replace(/\/+$/, '');
  const web = api === 'https://api.github.com' ? 'https://github.com' : api.replace(/\/api\/v3$/, '');
  return { web, api, repository };
}

function sourceLinks(r: Release, gh: GithubLinks | undefined): Record<string, string> {
  if (!gh) return {};
  const commit = r.commit ?? r.manifestCommit;
  const deployment = r.progress.githubDeploymentId;
  return {
    ...(commit ? { commit: `${gh.web}/${gh.repository}/commit/${commit}` } : {}),
    ...(deployment ? { deployment: `${gh.api}/repos/${gh.repository}/deployments/${deployment}` } : {}),
  };
}

export function releaseView(r: Release, publicUrl: string, withTimeline: boolean, github?: GithubLinks): ReleaseView {
  const statusUrl = `${publicUrl.replace(/\/$/, '')}/api/deployments/${encodeURIComponent(r.id)}`;
  const { scan, measurements, verification, rollback, links, ...rest } = r.outcome;
  return {
    id: r.id,
    app: r.app,
    environment: r.environment,
    kind: r.kind,
    phase: r.phase,
    ...(r.image ? { image: pinnedImage(r.image) } : r.unresolvedImage ? { image: r.unresolvedImage } : {}),
    ...(r.image?.tag ? { tag: r.image.tag } : {}),
    ...(r.commit ? { commit: r.commit } : {}),
    ...(r.manifestCommit ? { manifestCommit: r.manifestCommit } : {}),
    ...(r.version ? { version: r.version } : {}),
    source: r.source,
    ...(r.promotion ? { promotion: r.promotion } : {}),
    correlationId: r.correlationId,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    ...(r.wait ? { waitingFor: r.wait } : {}),
    ...(scan ? { scan } : {}),
    ...(measurements ? { measurements } : {}),
    ...(verification ? { verification } : {}),
    ...(rollback ? { rollback } : {}),
    links: {
      self: statusUrl,
      ...sourceLinks(r, github),
      ...codeScanningLink(r),
      ...(r.promotion ? { upstream: r.promotion.evidence } : {}),
      ...(links ?? {}),
    },
    outcome: rest,
    ...(withTimeline ? { timeline: r.timeline } : {}),
    statusUrl,
  };
}

/** The code scanning analysis of this digest's scan (or its upload, while GitHub processes it). */
function codeScanningLink(r: Release): Record<string, string> {
  const cs = r.outcome.codeScanning;
  const link = cs?.analysesUrl ?? cs?.url;
  return link ? { codeScanning: link } : {};
}
