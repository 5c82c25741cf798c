/**
 * Freeze windows as five-field cron expressions (minute hour day-of-month month day-of-week, UTC):
 * a minute the expression matches is frozen. Numbers, `*`, ranges `a-b`, steps `/n` and lists only —
 * no names, no `L`/`W`/`#` — so an expression means the same to everyone who reads it.
 */
import { err, ok, type Result } from '../domain/result.js';

const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  // 7 is Sunday too, as in Vixie cron.
  { name: 'day of week', min: 0, max: 7 },
] as const;

export interface Cron {
  source: string;
  sets: Set<number>[];
  /** Vixie cron: with both day fields restricted, either matching is enough. */
  domStar: boolean;
  dowStar: boolean;
}

const MAX_LENGTH = 200;

export function parseCron(source: string): Result<Cron, string> {
  if (source.length > MAX_LENGTH) return err(`longer than ${MAX_LENGTH} characters`);
  const parts = source.trim().split(/\s+/);
  if (parts.length !== 5) return err(`"${source}" must have 5 fields (minute hour day-of-month month day-of-week), has ${parts.length}`);
  const sets: Set<number>[] = [];
  for (const [i, f] of FIELDS.entries()) {
    const set = parseField(parts[i] ?? '', f.min, f.max);
    if (!set.ok) return err(`"${source}": ${f.name} ${set.error}`);
    sets.push(set.value);
  }
  const dow = sets[4];
  if (dow?.has(7)) dow.add(0);
  return ok({ source, sets, domStar: parts[2] === '*', dowStar: parts[4] === '*' });
}

function parseField(text: string, min: number, max: number): Result<Set<number>, string> {
  const out = new Set<number>();
  for (const item of text.split(',')) {
    const m = /^(\*|(\d{1,2})(?:-(\d{1,2}))?)(?:\/(\d{1,2}))?$/.exec(item);
    if (!m) return err(`"${item}" is not a number, range, * or step`);
    const lo = m[1] === '*' ? min : Number(m[2]);
    const hi = m[1] === '*' ? max : m[3] !== undefined ? Number(m[3]) : m[4] !== undefined ? max : lo;
    const step = m[4] !== undefined ? Number(m[4]) : 1;
    if (lo < min || hi > max || lo > hi) return err(`"${item}" is outside ${min}-${max}`);
    if (step < 1) return err(`"${item}" has a step below 1`);
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return ok(out);
}

export function cronMatches(c: Cron, at: Date): boolean {
  const [minute, hour, dom, month, dow] = c.sets as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  if (!minute.has(at.getUTCMinutes()) || !hour.has(at.getUTCHours()) || !month.has(at.getUTCMonth() + 1)) return false;
  const domOk = dom.has(at.getUTCDate());
  const dowOk = dow.has(at.getUTCDay());
  if (c.domStar || c.dowStar) return domOk && dowOk;
  return domOk || dowOk;
}

/**
 * The first minute at or after `from` that no expression matches (the freeze's end), looking at most
 * `horizonMinutes` ahead; undefined when frozen all that time.
 */
export function frozenUntil(crons: Cron[], from: Date, horizonMinutes = 60 * 24 * 31): Date | undefined {
  const start = Math.floor(from.getTime() / 60_000) * 60_000;
  for (let i = 0; i <= horizonMinutes; i++) {
    const t = new Date(start + i * 60_000);
    if (!crons.some((c) => cronMatches(c, t))) return i === 0 ? from : t;
  }
  return undefined;
}
