/**
 * The tags that keep what runs and what was verified in the registry — pure. The deployer pins
 * digests, and a digest without a tag is deleted by retention and the purge, so every digest a
 * cluster runs or a rollback may go back to carries a tag the purge never matches, or one it keeps:
 *  - `deployed-<env>` moves to a digest whenever the deployer sets it on the cluster in that
 *    environment (deploy, rollback, manifest apply): what runs there now;
 *  - `verified-<env>` moves to a digest whenever a release of it succeeds there: the last good one,
 *    which rollbacks go back to;
 *  - `verified-sha256-<64 hex>` is added to every digest a release verified (named by the digest, so
 *    a rebuild of the same commit is its own entry and nothing has to be looked up): the purge keeps
 *    the newest N of these per repository, so the last N verified digests stay rollback targets.
 * Candidate tags — the commit SHA a build pushes, `digest-<16 hex>` for images without one — are
 * purged by age (infra/modules/acr); `latest` and versions are never touched by the purge.
 */
import { createHash } from 'node:crypto';

/** The OCI distribution spec's tag grammar. */
export const OCI_TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
/** What builds push and the gate adds for images without a commit: purged by age. */
export const CANDIDATE_TAG = /^(?:[0-9a-f]{40}|digest-[0-9a-f]{16})$/;
/** The per-digest verified tag: the purge keeps the newest N per repository. */
export const VERIFIED_DIGEST_TAG = /^verified-sha256-[0-9a-f]{64}$/;

export type KeptTagEvent = 'deployed' | 'verified';

export const verifiedDigestTag = (digest: string): string => `verified-${digest.replace(':', '-')}`;

const MAX_TAG = 128;
const HASH_HEX = 8;

/**
 * `<kind>-<environment>` as a valid OCI tag, for any environment name: characters a tag may not hold
 * become `-`, and a name that had to change (or is too long, or would read as a tag the purge
 * matches) gets a short hash of the real name, so two environments never share a tag.
 */
export function envTag(kind: KeptTagEvent, environment: string): string {
  const prefix = `${kind}-`;
  const clean = environment.replace(/[^A-Za-z0-9._-]/g, '-');
  const plain = `${prefix}${clean}`;
  if (clean === environment && environment.length > 0 && plain.length <= MAX_TAG && !VERIFIED_DIGEST_TAG.test(plain)) return plain;
  const hash = createHash('sha256').update(environment, 'utf8').digest('hex').slice(0, HASH_HEX);
  return `${prefix}${clean.slice(0, MAX_TAG - prefix.length - HASH_HEX - 1)}-${hash}`;
}

export interface KeptTagTarget {
  repository: string;
  digest: string;
}

export interface KeptTagPlan extends KeptTagTarget {
  tags: string[];
}

/**
 * Which tags to point at which digest when `event` happens in `environment`: one entry per repository.
 * A repository with several digests in one release (a manifest naming two images of one repository)
 * gets its per-digest tags, but the environment's moving tag only once — on the first digest named.
 */
export function planKeptTags(event: KeptTagEvent, environment: string, images: KeptTagTarget[]): KeptTagPlan[] {
  const plans: KeptTagPlan[] = [];
  const moved = new Set<string>();
  const seen = new Set<string>();
  for (const { repository, digest } of images) {
    const key = `${repository}@${digest}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const tags: string[] = [];
    if (!moved.has(repository)) {
      tags.push(envTag(event, environment));
      moved.add(repository);
    }
    if (event === 'verified') tags.push(verifiedDigestTag(digest));
    if (tags.length) plans.push({ repository, digest, tags });
  }
  return plans;
}
