/**
 * Row keys of the release index (issue #19): every listing the API and dashboard offer is one
 * row-key range of one partition, newest first. A view names what it lists — all releases, an app,
 * an environment or both, optionally one door and/or one ending — and a release has one row per
 * view it belongs to: `<view>!R<inverted creation ms>-<release id>`. Pure; no I/O.
 */
import { TERMINAL_PHASES, type Door, type Phase, type Release } from '../../domain/release.js';

/** The one partition every listing row lives in (a range within it is one indexed query on Azure Tables). */
export const LIST_PARTITION = 'L';

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

/** `*`, or the view's parts in a fixed order; every part is checked, so nothing hostile reaches a key. */
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

/** '!' sorts below every character a view may hold, so one view's range never takes in another's. */
export const indexRowKey = (view: string, releaseKey: string): string => `${view}!${releaseKey}`;

/** The row-key range of a view after `after` (exclusive; a release key or a bare `R<inverted time>` bound). */
export function viewRange(view: string, after?: string, before?: string): { from: string; fromInclusive: boolean; to: string } {
  return {
    from: after === undefined ? `${view}!` : `${view}!${after}`,
    fromInclusive: after === undefined,
    to: before === undefined ? `${view}"` : `${view}!${before}`,
  };
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
