/**
 * Admission: what a new release request means for its app/environment head — the new release, the
 * head after it, and the release it supersedes — decided purely. The store persists a plan with
 * compare-and-swap; a lost race plans again against the fresh head.
 */
import { admit, admitBuild, withPending, type Admission, type Head } from './head.js';
import type { Phase, Release } from './release.js';

export interface NewRelease {
  /** An id reserved when the door accepted the event; the store picks one when absent. */
  id?: string;
  app: string;
  environment: string;
  kind: Release['kind'];
  /** What semantic dedup compares: the digest, or the manifest commit, or the commit being built. */
  target: string;
  image?: Release['image'];
  unresolvedImage?: string;
  commit?: string;
  manifestCommit?: string;
  version?: string;
  source: Release['source'];
  promotion?: Release['promotion'];
  correlationId: string;
  semanticDedup: boolean;
  allowQuarantined: boolean;
  progress?: Release['progress'];
}

export type AdmissionPlan =
  | { kind: 'admit'; release: Release; head: Head; supersedes?: string }
  | { kind: 'duplicate'; of: string; reason: string }
  | { kind: 'ignored'; reason: string };

/** Builds remember the commits a newer build superseded, boundedly. */
const SUPERSEDED_BUILDS_KEPT = 20;

export function planAdmission(head: Head, input: NewRelease, id: string, now: Date): AdmissionPlan {
  // A version release deploys nothing: it neither waits for nor supersedes anything on the app's head.
  const decision =
    input.kind === 'version'
      ? ({ kind: 'admit' } as Admission)
      : input.kind === 'build'
        ? admitBuild(head, input.target)
        : admit(head, { ...input, tag: input.image?.tag });
  if (decision.kind === 'duplicate') return { kind: 'duplicate', of: decision.of, reason: decision.reason };
  if (decision.kind === 'ignored') return decision;
  const at = now.toISOString();
  const release: Release = {
    id,
    app: input.app,
    environment: input.environment,
    kind: input.kind,
    phase: 'queued',
    ...(input.image ? { image: input.image } : {}),
    ...(input.unresolvedImage ? { unresolvedImage: input.unresolvedImage } : {}),
    ...(input.commit ? { commit: input.commit } : {}),
    ...(input.manifestCommit ? { manifestCommit: input.manifestCommit } : {}),
    ...(input.version ? { version: input.version } : {}),
    source: input.source,
    ...(input.promotion ? { promotion: input.promotion } : {}),
    correlationId: input.correlationId,
    createdAt: at,
    updatedAt: at,
    nextCheckAt: at,
    progress: input.progress ?? {},
    outcome: {},
    timeline: [
      {
        at,
        from: null,
        to: 'queued',
        reason: input.source.reason ?? `${input.source.door} event ${input.source.eventId}`,
        correlationId: input.correlationId,
      },
    ],
  };
  const ref = { releaseId: id, target: input.target };
  const next: Head =
    input.kind === 'version'
      ? head
      : input.kind === 'build'
        ? {
            ...withoutVersionBuild(head, input.target),
            latestBuild: { ...ref, commit: input.target },
            ...(head.latestBuild
              ? { supersededBuilds: [...(head.supersededBuilds ?? []), head.latestBuild.commit].slice(-SUPERSEDED_BUILDS_KEPT) }
              : {}),
          }
        : withPending(head, ref);
  return { kind: 'admit', release, head: next, ...(decision.supersedes ? { supersedes: decision.supersedes } : {}) };
}

/** Phases in which a release has not touched the cluster yet: a newer one may take its place. */
const NOT_DEPLOYED_YET: readonly Phase[] = ['queued', 'building', 'scanning'];

/** The superseded release; undefined when it is already deploying (it finishes or rolls back first) or has ended. */
export function supersede(old: Release, byId: string, now: Date): Release | undefined {
  if (!NOT_DEPLOYED_YET.includes(old.phase)) return undefined;
  const at = now.toISOString();
  const entry = {
    at,
    from: old.phase,
    to: 'superseded' as const,
    reason: `superseded by newer release ${byId}`,
    correlationId: old.correlationId,
  };
  const { nextCheckAt: _due, wait: _wait, ...rest } = old;
  return { ...rest, phase: 'superseded', updatedAt: at, timeline: [...old.timeline, entry] };
}

/** A commit pushed to the deploy branch deploys, even if a version tag built it first. */
function withoutVersionBuild(head: Head, commit: string): Head {
  if (!head.versionBuilds?.includes(commit)) return head;
  return { ...head, versionBuilds: head.versionBuilds.filter((c) => c !== commit) };
}
