/** How numbers, times and digests read on the page. Pure. */

export const shortDigest = (d: string | undefined): string => (d ? d.replace(/^sha256:/, '').slice(0, 12) : '—');

export function digestOf(image: string | undefined): string | undefined {
  const at = image?.lastIndexOf('@') ?? -1;
  return image && at >= 0 ? image.slice(at + 1) : undefined;
}

export const shortCommit = (c: string | undefined): string => (c ? c.slice(0, 7) : '—');

/** 0.0412 → "4.12 %", null → "n/a". */
export function pct(x: number | null | undefined, digits = 2): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return 'n/a';
  return `${Number((x * 100).toFixed(digits))} %`;
}

export const ms = (x: number | null | undefined): string =>
  x === null || x === undefined ? 'n/a' : x >= 1000 ? `${Number((x / 1000).toFixed(2))} s` : `${Math.round(x)} ms`;

/** "3 min ago" against `now`; the exact time goes in a title beside it. */
export function ago(iso: string | undefined, now: number): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return '—';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

export const label = (phase: string): string => phase.replace(/_/g, ' ');

/** The tone of a phase: good, bad, warn, busy or plain. */
export function tone(phase: string): 'good' | 'bad' | 'warn' | 'busy' | 'plain' {
  if (phase === 'succeeded') return 'good';
  if (phase === 'blocked' || phase === 'rolled_back' || phase === 'failed') return 'bad';
  if (phase === 'unverified') return 'warn';
  if (phase === 'superseded') return 'plain';
  return 'busy';
}
