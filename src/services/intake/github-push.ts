/**
 * What a push means: which apps need a build, whether the manifests changed, or why nothing
 * happens. Pure: the catalog and the payload in, a plan out.
 */
import type { Catalog } from '../domain/catalog.js';
import type { PushEvent } from './github-schema.js';

export type PushPlan =
  | { kind: 'ignored'; reason: string }
  | { kind: 'work'; commit: string; builds: string[]; manifests: boolean; changedPaths: number; compare?: string; truncated: boolean };

/** GitHub lists at most 20 commits in a push payload; beyond that the file lists are incomplete. */
export const PUSH_COMMIT_LIMIT = 20;
const ZERO = /^0{40}$/;

export function planPush(push: PushEvent, catalog: Catalog): PushPlan {
  if (push.repository.full_name.toLowerCase() !== catalog.repository.toLowerCase()) {
    return { kind: 'ignored', reason: `repository ${push.repository.full_name} is not deployed here (configured: ${catalog.repository})` };
  }
  // The GitHub door routes tag pushes to github-tag.ts before this plan; a tag reaching here deploys nothing.
  if (push.ref.startsWith('refs/tags/'))
    return { kind: 'ignored', reason: `tag push (${push.ref}) is not deployed; releases follow ${catalog.deployBranch}` };
  if (!push.ref.startsWith('refs/heads/')) return { kind: 'ignored', reason: `ref ${push.ref} is not a branch` };
  const branch = push.ref.slice('refs/heads/'.length);
  if (push.deleted || ZERO.test(push.after)) return { kind: 'ignored', reason: `branch ${branch} was deleted` };
  if (branch !== catalog.deployBranch) return { kind: 'ignored', reason: `push to ${branch}; only ${catalog.deployBranch} deploys` };
  if (push.created || ZERO.test(push.before))
    return { kind: 'ignored', reason: `branch ${branch} was created; the next push to it deploys` };
  // A forced push rewrote history: what is "new" cannot be told from the payload, and a human should redeploy deliberately.
  if (push.forced)
    return { kind: 'ignored', reason: `forced push to ${branch} is not deployed automatically; use POST /api/deployments to redeploy` };

  const commits = push.commits.length > 0 ? push.commits : push.head_commit ? [push.head_commit] : [];
  if (commits.length === 0) return { kind: 'ignored', reason: 'push has no commits' };
  const truncated = push.commits.length >= PUSH_COMMIT_LIMIT;
  const paths = new Set(commits.flatMap((c) => [...c.added, ...c.modified, ...c.removed]));

  // With a truncated list we cannot prove an app did not change, so everything is rebuilt.
  const builds = catalog.apps
    .filter((a) => truncated || [...paths].some((p) => a.sourcePaths.some((s) => p.startsWith(s))))
    .map((a) => a.name);
  const manifests = truncated || [...paths].some((p) => p.startsWith(catalog.manifestPath));
  if (builds.length === 0 && !manifests) {
    return {
      kind: 'ignored',
      reason: `no change under ${[...catalog.apps.flatMap((a) => a.sourcePaths), catalog.manifestPath].join(', ')}`,
    };
  }
  return {
    kind: 'work',
    commit: push.after,
    builds,
    manifests,
    changedPaths: paths.size,
    truncated,
    ...(push.compare ? { compare: push.compare } : {}),
  };
}
