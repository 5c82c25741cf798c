/**
 * What `acr purge` does to a registry, as a pure function — a model of Azure/acr-cli's cmd/acr/purge.go
 * (read at cfbb835, March 2026), for the purge commands our Terraform writes:
 *  - `--filter '<repo regex>:<tag regex>'`: repositories whose whole name matches `^<repo regex>$`; several
 *    filters of one repository are joined with `|` (CollectTagFilters); the tag regex is unanchored unless
 *    the filter anchors it (regexp2 in RE2 mode, which JavaScript's RegExp matches for these patterns);
 *  - a tag is eligible when it matches and its last update is before now − `--ago` (parseDuration: `<n>d`
 *    followed by an optional Go duration);
 *  - tags are listed newest first (orderby timedesc) and `--keep N` spares the first N *eligible* ones —
 *    tags newer than `--ago` are not counted;
 *  - `--untagged` then deletes the manifests of the repository left without a tag whose last update is
 *    before the same cutoff, sparing the newest `--keep` of them (purgeDanglingManifests).
 * Not modelled (our registry's images need none of it): locked tags and manifests, manifest lists whose
 * children are untagged, OCI subjects (referrers), paging, dry runs.
 */

export interface RegistryTag {
  tag: string;
  digest: string;
  /** ms since the epoch: ACR's lastUpdateTime (a tag moved to another digest is updated). */
  updatedAt: number;
}

export interface RegistryRepository {
  tags: RegistryTag[];
  /** digest → ms since the epoch the manifest was last updated (pushed). */
  manifests: Map<string, number>;
}

export interface PurgeCommand {
  filters: { repository: string; tag: string }[];
  agoMs: number;
  keep: number;
  untagged: boolean;
}

const DAY_MS = 86_400_000;
const UNITS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };

/** acr-cli's parseDuration: `<days>d` then an optional Go duration (`2d3h6m`), or a Go duration alone. */
export function parseAgo(ago: string): number {
  const m = /^(?:(\d+)d)?((?:\d+(?:\.\d+)?(?:h|m|s|ms|us|µs|ns))*)$/.exec(ago);
  if (!m || ago === '') throw new Error(`--ago ${ago}: not a duration acr purge reads`);
  let ms = Number(m[1] ?? 0) * DAY_MS;
  for (const part of (m[2] ?? '').matchAll(/(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/g)) ms += Number(part[1]) * UNITS[part[2]!]!;
  return ms;
}

/** One `acr purge …` command line as the ACR task runs it (single-quoted filters, as our Terraform writes them). */
export function parsePurgeCommand(cmd: string): PurgeCommand {
  if (!cmd.startsWith('acr purge ')) throw new Error(`not an acr purge command: ${cmd}`);
  const filters = [...cmd.matchAll(/--filter '([^']*)'/g)].map((f) => {
    const at = f[1]!.indexOf(':');
    if (at <= 0) throw new Error(`--filter ${f[1]}: not <repository>:<tag regex>`);
    return { repository: f[1]!.slice(0, at), tag: f[1]!.slice(at + 1) };
  });
  const ago = /--ago (\S+)/.exec(cmd)?.[1];
  if (!filters.length || !ago) throw new Error(`acr purge needs --filter and --ago: ${cmd}`);
  return { filters, agoMs: parseAgo(ago), keep: Number(/--keep (\d+)/.exec(cmd)?.[1] ?? 0), untagged: /--untagged(\s|$)/.test(cmd) };
}

export interface PurgeResult {
  tags: { repository: string; tag: string }[];
  manifests: { repository: string; digest: string }[];
}

/** Apply one purge command to `registry` (mutated) at time `now`; what it deleted. */
export function purge(registry: Map<string, RegistryRepository>, cmd: PurgeCommand, now: number): PurgeResult {
  const out: PurgeResult = { tags: [], manifests: [] };
  const cutoff = now - cmd.agoMs;
  const byRepository = new Map<string, string>();
  for (const f of cmd.filters) {
    const repo = new RegExp(`^${f.repository}$`);
    for (const name of registry.keys()) {
      if (!repo.test(name)) continue;
      const before = byRepository.get(name);
      byRepository.set(name, before === undefined ? f.tag : `${before}|${f.tag}`);
    }
  }
  for (const [name, tagRegex] of [...byRepository].sort(([a], [b]) => a.localeCompare(b))) {
    const repo = registry.get(name)!;
    const matches = new RegExp(tagRegex);
    const eligible = [...repo.tags].sort((a, b) => b.updatedAt - a.updatedAt).filter((t) => matches.test(t.tag) && t.updatedAt < cutoff);
    const doomed = new Set(eligible.slice(cmd.keep).map((t) => t.tag));
    repo.tags = repo.tags.filter((t) => !doomed.has(t.tag));
    out.tags.push(...[...doomed].map((tag) => ({ repository: name, tag })));
    if (!cmd.untagged) continue;
    const tagged = new Set(repo.tags.map((t) => t.digest));
    const dangling = [...repo.manifests].filter(([digest, updatedAt]) => !tagged.has(digest) && updatedAt < cutoff);
    // purgeDanglingManifests applies --keep too: the newest N untagged manifests are spared.
    for (const [digest] of dangling.sort((a, b) => b[1] - a[1]).slice(cmd.keep)) {
      repo.manifests.delete(digest);
      out.manifests.push({ repository: name, digest });
    }
  }
  return out;
}
