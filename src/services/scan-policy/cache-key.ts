import { createHash } from 'node:crypto';
import { type IgnoreEntry } from './ignore-file.js';
import { type ScanPolicy } from './policy.js';
import { severityRank } from './severity.js';

const sorted = (xs: readonly string[]): string[] => [...xs].sort();

const normalizeEntry = (e: IgnoreEntry) => ({
  id: e.id,
  sections: sorted(e.sections),
  paths: sorted(e.paths),
  purls: sorted(e.purls),
  expiredAt: e.expiredAt ?? null,
  statement: e.statement ?? null,
});

/**
 * Stable key for caching a verdict: the same digest under the same policy (including what the
 * ignore file says, but not its comments, order or line numbers) gives the same key.
 * Expiry is part of the policy, not of the key: a cached verdict is good until its
 * `reevaluateAfter` (and the cache TTL).
 */
export function verdictCacheKey(digest: string, policy: ScanPolicy): string {
  const entries = (policy.ignoreFile?.entries ?? []).map(normalizeEntry).map((e) => JSON.stringify(e));
  const normalized = {
    v: 1,
    digest: digest.trim().toLowerCase(),
    severities: [...new Set(policy.severities)].sort((a, b) => severityRank(a) - severityRank(b)),
    ignoreUnfixed: policy.ignoreUnfixed,
    blockSecrets: policy.blockSecrets,
    blockMisconfigAt: policy.blockMisconfigAt ?? null,
    ignore: [...new Set(entries)].sort(),
  };
  return createHash('sha256').update(JSON.stringify(normalized)).digest('hex');
}
