/**
 * Keys of the release index (issue #19): every listing the API and dashboard offer is one row-key
 * range of one partition, newest first. A view names what it lists — all releases, an app, an
 * environment or both, optionally one door and/or one ending — and is the partition key; a release
 * has one row in each view it belongs to, keyed `R<inverted creation ms>-<release id>` (the key
 * of its own row). One partition per view spreads writes and keeps each range query inside the
 * rows it lists. Pure; no I/O.
 */
import { TERMINAL_PHASES, type Door, type Phase, type Release } from '../../domain/release.js';

const INVERT_FROM = 1e13;
const NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const PHASE = /^[a-z_]{1,20}$/;
const DOOR = /^[a-z]{1,10}$/;

export interface ViewOf {
  app?: string;
  environment?: string;
  door?: Door;
  phase?: Phase;
}

/**
 * The view's partition key: `*`, or its parts in a fixed order. Every part is checked, so nothing
 * hostile reaches a key or a filter; none contains '=' or ',' itself, so two views never share a key.
 */
export function viewKey(v: ViewOf): string {
  const parts: string[] = [];
  const add = (tag: string, value: string | undefined, shape: RegExp) => {
    if (value === undefined) return;
    if (!shape.test(value)) throw new Error(`index view ${tag}: ${JSON.stringify(value.slice(0, 40))} is not a valid value`);
    parts.push(`${tag}=${value}`);
  };
  add('a', v.app, NAME);
  add('e', v.environment, NAME);
  add('p', v.phase, PHASE);
  add('d', v.door, DOOR);
  return parts.length ? parts.join(',') : '*';
}

/** Inverted milliseconds, 13 digits: ascending keys are newest first (valid until the year 2286). */
export function invertedTime(ms: number): string {
  const inv = Math.min(Math.max(Math.floor(INVERT_FROM - ms), 0), INVERT_FROM - 1);
  return inv.toString().padStart(13, '0');
}

/**
 * The row-key bounds of a view's range after `after` (exclusive; a release key, or a bare
 * `R<inverted time>` bound that no release key equals) and before `before` (exclusive).
 */
const POSITION = /^R\d{13}(-r-[0-9a-z]{1,12}-[0-9a-f]{6})?$/;

export function keyRange(after?: string, before?: string): string {
  for (const k of [after, before])
    if (k !== undefined && !POSITION.test(k)) throw new Error(`index range: ${JSON.stringify(k.slice(0, 40))} is not a position`);
  const from = after === undefined ? "RowKey ge 'R'" : `RowKey gt '${after}'`;
  return `${from} and RowKey lt '${before ?? 'S'}'`;
}

const SCOPES = (r: Pick<Release, 'app' | 'environment'>): ViewOf[] => [
  {},
  { app: r.app },
  { environment: r.environment },
  { app: r.app, environment: r.environment },
];

/** Views a release belongs to from its creation: they never change (app, environment and door are fixed). */
export function creationViews(r: Pick<Release, 'app' | 'environment' | 'source'>): string[] {
  return SCOPES(r).flatMap((s) => [viewKey(s), viewKey({ ...s, door: r.source.door })]);
}

/** Views by its ending, written once it ends (an ended release never changes phase again). */
export function endingViews(r: Pick<Release, 'app' | 'environment' | 'source'>, phase: Phase): string[] {
  if (!(TERMINAL_PHASES as readonly string[]).includes(phase)) return [];
  return SCOPES(r).flatMap((s) => [viewKey({ ...s, phase }), viewKey({ ...s, phase, door: r.source.door })]);
}

/**
 * A bound `span` ms older than a release key (or than now, without one): the end of a window of a
 * view's range. Undefined once the window would reach past the oldest time a key can hold.
 */
export function olderBound(fromKey: string | undefined, nowMs: number, spanMs: number): string | undefined {
  const start = fromKey ? Number(fromKey.slice(1, 14)) : Number(invertedTime(nowMs));
  const end = start + spanMs;
  return end < INVERT_FROM ? `R${end.toString().padStart(13, '0')}` : undefined;
}
