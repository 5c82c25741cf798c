/**
 * The query side of GET /api/deployments: filters (phase, door) and the continuation cursor, parsed
 * and checked before anything reaches the store. Pure. The store serves each page from its index
 * (issue #19), so a page costs the same however long history is.
 */
import { ACTIVE_PHASES, RELEASE_ID, TERMINAL_PHASES, type Door, type Phase } from './domain/release.js';

const PHASES: readonly string[] = [...ACTIVE_PHASES, ...TERMINAL_PHASES];
const DOORS: readonly string[] = ['github', 'acr', 'manual', 'promotion'] satisfies Door[];

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** "rolled_back,failed" → phases; names the first unknown one. */
export function parsePhases(text: string | null): Parsed<Phase[] | undefined> {
  if (text === null || text === '') return { ok: true, value: undefined };
  const list = [...new Set(text.split(',').map((p) => p.trim()))];
  const bad = list.find((p) => !PHASES.includes(p));
  return bad === undefined
    ? { ok: true, value: list as Phase[] }
    : { ok: false, error: `phase: unknown phase "${bad.slice(0, 40)}"; one of ${PHASES.join(', ')}` };
}

export function parseDoor(text: string | null): Parsed<Door | undefined> {
  if (text === null || text === '') return { ok: true, value: undefined };
  return DOORS.includes(text) ? { ok: true, value: text as Door } : { ok: false, error: `door: one of ${DOORS.join(', ')}` };
}

// ---------------------------------------------------------------- continuation cursor

const CURSOR_MAX = 200;
/** The position the store hands back: `R`, 13 digits of inverted creation time, `-`, a release id. */
const POSITION = /^R\d{13}-(r-[0-9a-z]{1,12}-[0-9a-f]{6})$/;

/** Opaque to callers (base64url of a versioned position), so the layout behind it may change. */
export const encodeCursor = (position: string): string => Buffer.from(`c1:${position}`, 'utf8').toString('base64url');

/** Anything but a cursor this API handed out is refused (400), never passed on to a query. */
export function decodeCursor(text: string | null): Parsed<string | undefined> {
  if (text === null) return { ok: true, value: undefined };
  const bad = { ok: false as const, error: 'cursor: not a cursor this API handed out (take it from a previous page)' };
  if (text.length === 0 || text.length > CURSOR_MAX || !/^[A-Za-z0-9_-]+$/.test(text)) return bad;
  const raw = Buffer.from(text, 'base64url').toString('utf8');
  if (!raw.startsWith('c1:')) return bad;
  const position = raw.slice(3);
  const id = POSITION.exec(position)?.[1];
  // Only the canonical spelling: base64url decoding forgives stray bits, the check does not.
  return id !== undefined && RELEASE_ID.test(id) && encodeCursor(position) === text ? { ok: true, value: position } : bad;
}

/**
 * How far history goes: what the retention setting keeps (0: everything). `keptSince` is the start
 * of a UTC day, so it is true all day long and the answer's ETag does not change with every request.
 */
export function historyOf(retentionDays: number, now: Date): { retentionDays: number | null; keptSince?: string } {
  if (retentionDays <= 0) return { retentionDays: null };
  const since = new Date(now.getTime() - retentionDays * 86_400_000);
  return { retentionDays, keptSince: `${since.toISOString().slice(0, 10)}T00:00:00.000Z` };
}
