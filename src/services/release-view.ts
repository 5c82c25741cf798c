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
  source: Release['source'];
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

export function releaseView(r: Release, publicUrl: string, withTimeline: boolean): ReleaseView {
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
    source: r.source,
    correlationId: r.correlationId,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    ...(r.wait ? { waitingFor: r.wait } : {}),
    ...(scan ? { scan } : {}),
    ...(measurements ? { measurements } : {}),
    ...(verification ? { verification } : {}),
    ...(rollback ? { rollback } : {}),
    links: { self: statusUrl, ...(links ?? {}) },
    outcome: rest,
    ...(withTimeline ? { timeline: r.timeline } : {}),
    statusUrl,
  };
}
