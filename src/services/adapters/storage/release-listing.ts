/**
 * One page of a newest-first listing from the index: one range query per view (a view per asked
 * ending when filtered by outcome), the active releases from the due index when an active phase is
 * asked for, merged by row key, then each release read by its keys and checked against the filter
 * (an index row may be ahead of its release: see release-index.ts). Reads grow with the page, not
 * with history.
 */
import { isTerminal, type Release } from '../../domain/release.js';
import type { ReleaseFilter } from '../../ports.js';
import { viewKey } from './index-keys.js';
import type { IndexRow, ReleaseIndex } from './release-index.js';
import type { DueIndex } from './due-index.js';

/** Active releases at most considered for an active-phase filter (in flight at once, not history). */
const ACTIVE_MAX = 5_000;
/** Rounds of reading when rows turn out stale; a page cut short still hands back where to go on. */
const MAX_ROUNDS = 4;

export interface ListingDeps {
  index: ReleaseIndex;
  due: DueIndex;
  read(pk: string, rk: string): Promise<Release | undefined>;
  now(): Date;
}

export interface StoredPage {
  releases: Release[];
  /** The last listed release's row key, when more may follow. */
  next?: string;
}

function matches(f: ReleaseFilter, r: Release): boolean {
  if (f.app && r.app !== f.app) return false;
  if (f.environment && r.environment !== f.environment) return false;
  if (f.door && r.source.door !== f.door) return false;
  return !f.phases || f.phases.includes(r.phase);
}

async function activeRows(d: ListingDeps, f: ReleaseFilter): Promise<IndexRow[]> {
  const active = f.phases?.filter((p) => !isTerminal(p)) ?? [];
  if (!active.length) return [];
  const rows = await d.due.all(ACTIVE_MAX);
  return rows
    .filter((r) => active.includes(r.phase as (typeof active)[number]))
    .filter((r) => (!f.app || r.app === f.app) && (!f.environment || r.environment === f.environment) && (!f.door || r.door === f.door))
    .sort((a, b) => (a.rk < b.rk ? -1 : 1));
}

export async function listPage(d: ListingDeps, f: ReleaseFilter & { after?: string }): Promise<StoredPage> {
  const limit = Math.min(Math.max(f.limit ?? 50, 1), 500);
  const scope = { ...(f.app ? { app: f.app } : {}), ...(f.environment ? { environment: f.environment } : {}) };
  const door = f.door ? { door: f.door } : {};
  const views = f.phases
    ? f.phases.filter(isTerminal).map((phase) => viewKey({ ...scope, ...door, phase }))
    : [viewKey({ ...scope, ...door })];
  const active = await activeRows(d, f);
  const want = limit + 1;
  const out: { r: Release; rk: string }[] = [];
  let after = f.after;
  let exhausted = false;
  for (let round = 0; round < MAX_ROUNDS && out.length < want && !exhausted; round++) {
    const need = want - out.length;
    const scans = await Promise.all(views.map((v) => d.index.scan(v, after, need, d.now().getTime())));
    const pending = active.filter((r) => after === undefined || r.rk > after);
    const merged = [...scans.flatMap((s) => s.rows), ...pending].sort((a, b) => (a.rk < b.rk ? -1 : a.rk > b.rk ? 1 : 0));
    const seen = new Set(out.map((o) => o.r.id));
    const take = merged.filter((row) => !seen.has(row.releaseId) && (seen.add(row.releaseId), true)).slice(0, need);
    exhausted = scans.every((s) => s.done) && merged.length <= need;
    const last = take.at(-1);
    if (!last) break;
    const read = await Promise.all(take.map((row) => d.read(row.pk, row.rk)));
    read.forEach((r, i) => {
      const rk = take[i]?.rk;
      if (r && rk && matches(f, r)) out.push({ r, rk });
    });
    after = last.rk;
  }
  const releases = out.slice(0, limit).map((o) => o.r);
  const next = out.length > limit ? out[limit - 1]?.rk : exhausted ? undefined : after;
  return { releases, ...(next !== undefined ? { next } : {}) };
}
