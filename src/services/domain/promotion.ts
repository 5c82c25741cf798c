/**
 * Which tags a digest gets once the gate passed it — pure. The build pushed one immutable
 * candidate tag (the commit SHA); the moving ones are added here:
 *  - `latest`, only for releases automation started (a manual deploy of an older digest does not
 *    move it), never to a digest whose build a newer build superseded, never to a release older
 *    than the one `latest` points at now: latest never moves backwards;
 *  - the release's semantic version, when it has one;
 *  - a candidate tag for a digest that has no immutable one (a release without a commit SHA tag), so
 *    it keeps a tag while its release runs; like the SHA it is purged by age. What keeps running and
 *    verified digests beyond that — rollback targets — is domain/kept-tags.ts.
 */
import type { Head } from './head.js';
import type { Release } from './release.js';

export interface TagPlan {
  tags: string[];
  withheld: { tag: string; reason: string }[];
}

export const SEMVER_TAG = /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]{1,64})?$/;
const COMMIT = /^[0-9a-f]{40}$/;

/** The candidate tag of a digest that came without an immutable tag: `digest-<first 16 hex>` (kept-tags.ts CANDIDATE_TAG). */
export const keepTag = (digest: string): string => `digest-${digest.replace(/^sha256:/, '').slice(0, 16)}`;

export function planTags(r: Release, head: Head): TagPlan {
  const tags: string[] = [];
  const withheld: TagPlan['withheld'] = [];
  const image = r.image;
  if (!image) return { tags, withheld };
  const immutable = image.tag !== undefined && image.tag !== 'latest' && !SEMVER_TAG.test(image.tag);
  if (r.commit && COMMIT.test(r.commit) && image.tag !== r.commit) tags.push(r.commit);
  else if (!immutable && !r.commit) tags.push(keepTag(image.digest));

  const latest = latestVerdict(r, head);
  if (latest) withheld.push({ tag: 'latest', reason: latest });
  else tags.push('latest');
  if (r.version && SEMVER_TAG.test(r.version)) tags.push(r.version);
  return { tags, withheld };
}

/** Why `latest` must not move to this release; undefined when it may. */
function latestVerdict(r: Release, head: Head): string | undefined {
  if (r.source.door === 'manual' || r.kind === 'rollback') return 'a manual deploy or rollback does not move latest';
  if (r.commit && head.supersededBuilds?.includes(r.commit))
    return `a newer build (${head.latestBuild?.commit.slice(0, 7) ?? 'newer commit'}) was requested after this commit's`;
  const now = head.latestTag;
  if (now && now.releaseId !== r.id && now.digest !== r.image?.digest && now.createdAt > r.createdAt)
    return `latest already points at newer release ${now.releaseId} (${now.digest.slice(0, 19)}…): latest never moves backwards`;
  return undefined;
}

/** The head after `latest` moved to this release's digest. */
export const withLatest = <H extends Head>(head: H, r: Release): H =>
  r.image ? { ...head, latestTag: { releaseId: r.id, digest: r.image.digest, createdAt: r.createdAt } } : head;
