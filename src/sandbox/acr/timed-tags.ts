/**
 * A repository's tags in the fake (tag → digest) that remember what ACR's tag and manifest attributes
 * say about time: when each tag was last pointed (lastUpdateTime, what `acr purge --ago/--keep` sort
 * and compare) and when each digest was first tagged (its push). Every write goes through putTag.
 */
export class TagMap extends Map<string, string> {
  /** tag → ms since the epoch it was last pointed; sub-millisecond, so order is kept within one ms. */
  readonly updatedAt = new Map<string, number>();
  /** digest → ms since the epoch it was first tagged. */
  readonly firstTagged = new Map<string, number>();

  point(tag: string, digest: string): void {
    const at = performance.timeOrigin + performance.now();
    this.updatedAt.set(tag, at);
    if (!this.firstTagged.has(digest)) this.firstTagged.set(digest, at);
    this.set(tag, digest);
  }
}

/** Point `repository:tag` at `digest`, creating the repository's tags on first use. */
export function putTag(tags: Map<string, Map<string, string>>, repository: string, tag: string, digest: string): void {
  let t = tags.get(repository);
  if (!(t instanceof TagMap)) {
    const timed = new TagMap();
    for (const [k, v] of t ?? []) timed.point(k, v);
    tags.set(repository, (t = timed));
  }
  (t as TagMap).point(tag, digest);
}

/** A repository's tags with their times, newest first (what ACR's tag listing with orderby=timedesc returns). */
export function timedTags(tags: Map<string, Map<string, string>>, repository: string) {
  const t = tags.get(repository);
  if (!(t instanceof TagMap)) return { tags: [], manifests: new Map<string, number>() };
  const list = [...t].map(([tag, digest]) => ({ tag, digest, updatedAt: t.updatedAt.get(tag) ?? 0 }));
  return { tags: list.sort((a, b) => b.updatedAt - a.updatedAt), manifests: new Map(t.firstTagged) };
}
