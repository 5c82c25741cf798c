/**
 * What a pushed git tag means: a semantic version vX.Y.Z for the commit it points at, or why
 * nothing happens (2xx with the reason). Pure. For an annotated tag `after` is the tag object,
 * not the commit; `head_commit` is the commit for every tag push since GitHub's 2021 change
 * (github.blog changelog 2021-10-01), so it is read first.
 */
import { SEMVER_TAG } from '../domain/promotion.js';
import type { Catalog } from '../domain/catalog.js';
import type { PushEvent } from './github-schema.js';

export type TagPushPlan = { kind: 'ignored'; reason: string } | { kind: 'version'; version: string; commit: string };

const ZERO = /^0{40}$/;
/** A tag name as it is shown in a reason: bounded, printable. */
const shown = (name: string): string => {
  const printable = name.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > 64 ? `${printable.slice(0, 64)}… (${name.length} characters)` : printable;
};

export function planTagPush(push: PushEvent, catalog: Catalog): TagPushPlan {
  const name = push.ref.slice('refs/tags/'.length);
  if (push.deleted || ZERO.test(push.after))
    return { kind: 'ignored', reason: `tag ${shown(name)} was deleted; images keep the versions they were given` };
  if (!SEMVER_TAG.test(name))
    return { kind: 'ignored', reason: `tag ${shown(name)} is not a semantic version (vMAJOR.MINOR.PATCH); only those version images` };
  // base_ref names the branch whose tip the tag points at, when it does; another branch is not deployed here.
  // It is null for a tag on an older commit: whether that commit is in the deploy branch's history is
  // decided behind the queue, by GitHub's compare (pipeline/steps/version.ts, versionOnBranch).
  if (push.base_ref && push.base_ref !== `refs/heads/${catalog.deployBranch}`)
    return { kind: 'ignored', reason: `tag ${name} points at ${push.base_ref}, not ${catalog.deployBranch}` };
  return { kind: 'version', version: name, commit: push.head_commit?.id ?? push.after };
}
