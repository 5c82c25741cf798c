/**
 * The app/environment head: who is deploying, who is waiting, what is known good. Every release
 * admission and every deploy slot is decided here, purely, and written with ETag compare-and-swap.
 */
import type { PinnedImage } from './release.js';

export interface HeadRef {
  releaseId: string;
  /** Digest for image releases; manifest commit for manifest releases. */
  target: string;
  /** Set on an app head's slot when a manifest release (admitted on the k8s head) holds it (domain/lease.ts). */
  kind?: 'manifest';
}

export interface Head {
  app: string;
  environment: string;
  /** The release that holds the deploy slot (deploying, verifying or rolling back): of any kind (domain/lease.ts). */
  active?: HeadRef;
  /** The newest release not yet deployed; an older one is superseded when a newer one arrives. */
  pending?: HeadRef;
  /** The last verified-good release: what rollbacks go back to. */
  lastGood?: HeadRef & { image?: PinnedImage; manifestCommit?: string };
  /** The newest build requested; an image from an older build's commit is not deployed after it. */
  latestBuild?: HeadRef & { commit: string };
  /** Commits whose builds a newer build superseded: their images are not deployed after the newer one. */
  supersededBuilds?: string[];
  /** The last release the scan gate (or a failed start) blocked: the same digest again is a duplicate of it. */
  lastBlocked?: HeadRef;
  /** Commits built only for a version tag (a tag on a commit never built): their images are versioned, never deployed. */
  versionBuilds?: string[];
  /** The release whose digest `latest` was last moved to: latest never moves to an older release. */
  latestTag?: { releaseId: string; digest: string; createdAt: string };
  /** Digests that failed verification; automation never deploys them again. */
  quarantined: { digest: string; releaseId: string; at: string }[];
}

export const emptyHead = (app: string, environment: string): Head => ({ app, environment, quarantined: [] });

export interface AdmissionRequest {
  target: string;
  /** Manual deploys may re-apply a quarantined digest, explicitly. */
  allowQuarantined: boolean;
  /** Manual redeploys and rollbacks are deliberate: no semantic dedup against the current release. */
  semanticDedup: boolean;
  /** The pushed tag, when an image event carries one. */
  tag?: string | undefined;
}

export type Admission =
  { kind: 'admit'; supersedes?: string } | { kind: 'duplicate'; of: string; reason: string } | { kind: 'ignored'; reason: string };

export function admit(head: Head, req: AdmissionRequest): Admission {
  if (head.latestBuild && req.tag === 'latest') {
    return {
      kind: 'ignored',
      reason: `tag latest moves with every build; releases follow the commit-tagged push (latest build: ${head.latestBuild.commit.slice(0, 7)})`,
    };
  }
  if (req.tag && head.versionBuilds?.includes(req.tag)) {
    return {
      kind: 'ignored',
      reason: `the build of ${req.tag.slice(0, 7)} was made for a version tag; versions tag images, they do not deploy`,
    };
  }
  if (req.tag && head.supersededBuilds?.includes(req.tag)) {
    return {
      kind: 'ignored',
      reason: `the build of ${req.tag.slice(0, 7)} was superseded by the build of ${head.latestBuild?.commit.slice(0, 7) ?? 'a newer commit'}`,
    };
  }
  if (req.semanticDedup) {
    if (head.pending?.target === req.target)
      return { kind: 'duplicate', of: head.pending.releaseId, reason: 'same target as the pending release' };
    if (head.active?.target === req.target)
      return { kind: 'duplicate', of: head.active.releaseId, reason: 'same target as the release in progress' };
    if (head.lastBlocked?.target === req.target) {
      return { kind: 'duplicate', of: head.lastBlocked.releaseId, reason: 'this digest was just blocked; a manual deploy may retry it' };
    }
    // A manifest release holding the slot keeps the app on its verified digest: that digest is still current.
    const imageActive = head.active && head.active.kind !== 'manifest';
    if (!imageActive && !head.pending && head.lastGood?.target === req.target) {
      return { kind: 'duplicate', of: head.lastGood.releaseId, reason: 'already the current verified release' };
    }
  }
  const q = quarantineOf(head, req.target);
  if (q && !req.allowQuarantined) {
    return {
      kind: 'ignored',
      reason: `digest ${req.target} is quarantined after release ${q.releaseId} failed; deploy it manually to override`,
    };
  }
  return head.pending ? { kind: 'admit', supersedes: head.pending.releaseId } : { kind: 'admit' };
}

/** The quarantine entry of a digest on this head (automation never deploys it again), if any. */
export const quarantineOf = (head: Head, digest: string): Head['quarantined'][number] | undefined =>
  head.quarantined.find((x) => x.digest === digest);

/** The head after admitting a release as pending. */
export const withPending = (head: Head, ref: HeadRef): Head => ({ ...head, pending: ref });

/** Take the deploy slot: only the pending release may, and only when no release holds it. */
export function takeSlot(
  head: Head,
  releaseId: string,
):
  | { ok: true; head: Head }
  | { ok: false; why: 'superseded'; reason: string }
  | { ok: false; why: 'busy'; reason: string; holder: HeadRef } {
  if (head.active?.releaseId === releaseId) return { ok: true, head };
  if (head.pending?.releaseId !== releaseId) {
    return {
      ok: false,
      why: 'superseded',
      reason: head.pending ? `superseded by newer release ${head.pending.releaseId}` : 'no longer the pending release',
    };
  }
  if (head.active) return { ok: false, why: 'busy', reason: `waiting for release ${head.active.releaseId} to finish`, holder: head.active };
  const { pending, ...rest } = head;
  return { ok: true, head: { ...rest, active: pending } };
}

/**
 * Hold the slot for a release that is not this head's pending one: a manifest release admitted on the k8s
 * head. Idempotent (the holder finds itself), so a crash after the write and before the release's own save
 * takes nothing twice.
 */
export function holdSlot(head: Head, holder: HeadRef): { ok: true; head: Head; changed: boolean } | { ok: false; holder: HeadRef } {
  if (head.active?.releaseId === holder.releaseId) return { ok: true, head, changed: false };
  if (head.active) return { ok: false, holder: head.active };
  return { ok: true, head: { ...head, active: holder }, changed: true };
}

/** The slot's holder ended (or vanished) without freeing it — a crash between its last save and the free: clear it. */
export function clearEndedHolder<H extends Head>(head: H, holderId: string): H {
  if (head.active?.releaseId !== holderId) return head;
  const { active: _gone, ...rest } = head;
  return rest as H;
}

/** Release the slot at a terminal state; a success becomes the new last-good. */
export function releaseSlot(
  head: Head,
  releaseId: string,
  outcome: {
    verified?: HeadRef & { image?: PinnedImage; manifestCommit?: string };
    quarantine?: { digest: string; at: string };
    blocked?: HeadRef;
  },
): Head {
  const next: Head = { ...head, quarantined: [...head.quarantined] };
  if (outcome.blocked) next.lastBlocked = outcome.blocked;
  else if (next.lastBlocked && (outcome.verified || outcome.quarantine)) delete next.lastBlocked;
  if (next.active?.releaseId === releaseId) delete next.active;
  if (next.pending?.releaseId === releaseId) delete next.pending;
  if (outcome.verified) next.lastGood = outcome.verified;
  if (outcome.quarantine && !next.quarantined.some((q) => q.digest === outcome.quarantine?.digest)) {
    // Keep the list bounded; the oldest entries fall off.
    next.quarantined = [...next.quarantined, { ...outcome.quarantine, releaseId }].slice(-50);
  }
  return next;
}

/** Builds: the newest push wins; the same commit twice is one build. */
export function admitBuild(head: Head, commit: string): Admission {
  if (head.latestBuild?.commit === commit)
    return { kind: 'duplicate', of: head.latestBuild.releaseId, reason: 'this commit is already being built' };
  return head.latestBuild ? { kind: 'admit', supersedes: head.latestBuild.releaseId } : { kind: 'admit' };
}

/** Versions remember the commits they built, boundedly. */
const VERSION_BUILDS_KEPT = 20;

/** The head after a version release asked for a build of `commit`. */
export const withVersionBuild = <H extends Head>(head: H, commit: string): H =>
  head.versionBuilds?.includes(commit)
    ? head
    : { ...head, versionBuilds: [...(head.versionBuilds ?? []), commit].slice(-VERSION_BUILDS_KEPT) };
