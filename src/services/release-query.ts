/**
 * Filters and pages over a newest-first list of releases (GET /api/deployments): by phase and
 * door, `before` a release id, `limit` at a time. Pure. The store today reads the releases it
 * lists in full, so the search looks at a bounded window of the newest ones (SEARCH_WINDOW);
 * issue #19 gives the store keys that page by themselves.
 */
import { ACTIVE_PHASES, TERMINAL_PHASES, type Door, type Phase, type Release } from './domain/release.js';

/** How many of the newest releases a filtered or paged search looks at. */
export const SEARCH_WINDOW = 500;

const PHASES: readonly string[] = [...ACTIVE_PHASES, ...TERMINAL_PHASES];
const DOORS: readonly string[] = ['github', 'acr', 'manual', 'promotion'] satisfies Door[];

export interface ReleaseQuery {
  phases?: Phase[];
  door?: Door;
  /** Only releases older than this one (the previous page's `next`). */
  before?: string;
  limit: number;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** "rolled_back,failed" → phases; names the first unknown one. */
export function parsePhases(text: string | null): Parsed<Phase[] | undefined> {
  if (text === null || text === '') return { ok: true, value: undefined };
  const list = text.split(',').map((p) => p.trim());
  const bad = list.find((p) => !PHASES.includes(p));
  return bad === undefined
    ? { ok: true, value: list as Phase[] }
    : { ok: false, error: `phase: unknown phase "${bad.slice(0, 40)}"; one of ${PHASES.join(', ')}` };
}

export function parseDoor(text: string | null): Parsed<Door | undefined> {
  if (text === null || text === '') return { ok: true, value: undefined };
  return DOORS.includes(text) ? { ok: true, value: text as Door } : { ok: false, error: `door: one of ${DOORS.join(', ')}` };
}

export interface Page {
  releases: Release[];
  /** Pass as `before` for the next page; absent on the last one. */
  next?: string;
  /** The search reached the end of its window: older matches may exist beyond it. */
  truncated?: boolean;
}

/** One page of `newest` (newest first, as the store lists them, `window` of them at most). */
export function pageOf(newest: Release[], q: ReleaseQuery, window: number): Page {
  let from = 0;
  if (q.before !== undefined) {
    const at = newest.findIndex((r) => r.id === q.before);
    from = at === -1 ? newest.length : at + 1;
  }
  const matches: Release[] = [];
  let i = from;
  for (; i < newest.length && matches.length <= q.limit; i++) {
    const r = newest[i];
    if (!r) continue;
    if (q.phases && !q.phases.includes(r.phase)) continue;
    if (q.door && r.source.door !== q.door) continue;
    matches.push(r);
  }
  const releases = matches.slice(0, q.limit);
  const last = releases.at(-1);
  const more = matches.length > q.limit;
  const exhausted = newest.length >= window && !more && i >= newest.length;
  return { releases, ...(more && last ? { next: last.id } : {}), ...(exhausted ? { truncated: true } : {}) };
}
