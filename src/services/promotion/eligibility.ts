/**
 * What may move onward: exactly a release that succeeded upstream and is still what runs there,
 * whose digest is quarantined nowhere, and that the target does not already run. Pure.
 */
import { admit, quarantineOf, type AdmissionRequest, type Head } from '../domain/head.js';
import type { Release } from '../domain/release.js';
import { err, ok, type Result } from '../domain/result.js';
import type { Candidate } from './model.js';

/** The candidate a release makes, or why it makes none. */
export function candidateOf(r: Release): Result<Candidate, string> {
  if (r.phase !== 'succeeded') return err(`release ${r.id} is ${r.phase}; only a verified (succeeded) release is promoted`);
  const succeededAt = [...r.timeline].reverse().find((t) => t.to === 'succeeded')?.at ?? r.updatedAt;
  const base = { releaseId: r.id, app: r.app, environment: r.environment, succeededAt, ...(r.commit ? { commit: r.commit } : {}) };
  if (r.kind === 'manifest' && r.manifestCommit)
    return ok({ ...base, kind: 'manifest', target: r.manifestCommit, manifestCommit: r.manifestCommit });
  if (r.kind === 'image' && r.image) return ok({ ...base, kind: 'image', target: r.image.digest, image: r.image });
  return err(`release ${r.id} is a ${r.kind} release; only image and manifest releases are promoted`);
}

export interface EligibilityFacts {
  /** The upstream environment's head for the app. */
  upstream: Head;
  /** The target environment's head for the app. */
  target: Head;
  /** Every environment's head for the app (quarantine anywhere). */
  everywhere: Head[];
}

export type Ineligible =
  | { kind: 'superseded'; by: string; reason: string }
  | { kind: 'not-eligible'; reason: string }
  | { kind: 'already'; releaseId: string; reason: string };

export function eligibility(c: Candidate, f: EligibilityFacts, to: string): Result<Candidate, Ineligible> {
  const good = f.upstream.lastGood;
  if (good?.releaseId !== c.releaseId) {
    const now = good ? `release ${good.releaseId} (${short(good.target)})` : 'no verified release';
    // Release ids sort by creation time: a later one that is now verified upstream takes this one's place.
    if (good && good.releaseId > c.releaseId)
      return err({
        kind: 'superseded',
        by: good.releaseId,
        reason: `superseded by newer verified release ${good.releaseId} in ${c.environment}`,
      });
    return err({ kind: 'not-eligible', reason: `release ${c.releaseId} is no longer what runs verified in ${c.environment} (now ${now})` });
  }
  // Promotion's own rule, wider than admission's (which looks at the target alone): quarantined anywhere.
  for (const h of f.everywhere) {
    const q = quarantineOf(h, c.target);
    if (q)
      return err({
        kind: 'not-eligible',
        reason: `${short(c.target)} is quarantined in ${h.environment} after release ${q.releaseId} failed there`,
      });
  }
  // Everything about the target (already there, queued, deploying, just blocked, superseding its pending
  // release) is admission's to say: the same call, with the same request, that promote() makes.
  const a = admit(f.target, admissionOf(c));
  if (a.kind === 'ignored') return err({ kind: 'not-eligible', reason: `${to} does not take it: ${a.reason}` });
  if (a.kind === 'duplicate') return err({ kind: 'already', releaseId: a.of, reason: alreadyThere(f.target, a.of, to) });
  return ok(c);
}

/** How a promotion is admitted in the target: exactly what verified upstream, deduplicated, never a quarantined digest. */
export const admissionOf = (c: Candidate): AdmissionRequest & { semanticDedup: true; allowQuarantined: false } => ({
  target: c.target,
  semanticDedup: true,
  allowQuarantined: false,
  tag: c.image?.tag,
});

/** Which of the target head's releases admission found the candidate in, in words. */
function alreadyThere(t: Head, of: string, to: string): string {
  if (t.pending?.releaseId === of) return `${to} has it queued (release ${of})`;
  if (t.active?.releaseId === of) return `${to} is deploying it (release ${of})`;
  if (t.lastBlocked?.releaseId === of) return `${to} blocked it at its gates (release ${of}); a manual deploy may retry it`;
  return `${to} already runs it verified (release ${of})`;
}

export const short = (target: string): string => (target.startsWith('sha256:') ? `${target.slice(0, 19)}…` : target.slice(0, 12));
