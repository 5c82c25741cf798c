/**
 * The query shapes the fake can answer, written out independently of the adapter's builder: if
 * the adapter's KQL changes, the fake stops recognising it and answers 400, so the two cannot drift
 * apart silently. Literal values are decoded by the Kusto language service, not by a regex.
 */
import type { KqlAnalysis } from './kusto-check.js';

export type QueryShape =
  { kind: 'requests'; role: string; version?: string; from: Date; to: Date; slowAboveMs?: number } | { kind: 'ping' };

const ISO = String.raw`(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,7})?Z)`;
const STR = String.raw`("(?:[^"\\\r\n]|\\.)*")`;
const REAL = String.raw`real\((\d+(?:\.\d+)?)\)`;
const REQUESTS = new RegExp(
  [
    '^AppRequests',
    String.raw`\| where TimeGenerated >= datetime\(${ISO}\) and TimeGenerated < datetime\(${ISO}\)`,
    String.raw`\| where AppRoleName == ${STR}(?:`,
    String.raw`\| where AppVersion == ${STR})?`,
    String.raw`\| summarize requests = sum\(ItemCount\), failures = sumif\(ItemCount, Success == false\)(?:, slow = sumif\(ItemCount, DurationMs > ${REAL}\))?, p95Ms = percentilew\(DurationMs, ItemCount, 95\), ` +
      String.raw`retainedRequests = count\(\), retainedFailures = countif\(Success == false\)(?:, retainedSlow = countif\(DurationMs > ${REAL}\))?$`,
  ].join('\n'),
);
const PING = 'AppRequests | take 0 | count';

/** Recognise `query` (already free of KQL errors) or return undefined for an unknown shape. */
export function recogniseQuery(query: string, analysis: KqlAnalysis): QueryShape | undefined {
  if (query === PING) return { kind: 'ping' };
  const m = REQUESTS.exec(query);
  if (!m) return undefined;
  const [, fromText, toText, roleToken, versionToken, slowText, retainedSlowText] = m;
  // Both slow counts name the same threshold, or neither is there.
  if (slowText !== retainedSlowText) return undefined;
  const from = new Date(fromText ?? '');
  const to = new Date(toText ?? '');
  const role = decoded(analysis, roleToken);
  const version = versionToken === undefined ? undefined : decoded(analysis, versionToken);
  if (
    role === undefined ||
    (versionToken !== undefined && version === undefined) ||
    Number.isNaN(from.getTime()) ||
    Number.isNaN(to.getTime())
  )
    return undefined;
  const slowAboveMs = slowText === undefined ? undefined : Number(slowText);
  return {
    kind: 'requests',
    role,
    ...(version !== undefined ? { version } : {}),
    from,
    to,
    ...(slowAboveMs !== undefined ? { slowAboveMs } : {}),
  };
}

/** The value the language service gives the literal whose token text is `token`. */
function decoded(analysis: KqlAnalysis, token: string | undefined): string | undefined {
  const i = analysis.nodes.findIndex((n, idx) => n.text === token && analysis.nodes[idx - 1]?.literal !== undefined);
  return i > 0 ? analysis.nodes[i - 1]?.literal : undefined;
}

/**
 * The request body's `timespan`: "start/end", "start/duration", "duration/end" or "duration"
 * (ISO 8601), as the SDK sends it. Returns the interval it denotes at `now`.
 */
export function parseTimespan(timespan: string, now: Date): { from: Date; to: Date } | undefined {
  const [a, b] = timespan.split('/');
  if (a === undefined) return undefined;
  if (b === undefined) {
    const d = durationMs(a);
    return d === undefined ? undefined : { from: new Date(now.getTime() - d), to: now };
  }
  const start = Date.parse(a);
  const end = Date.parse(b);
  if (!Number.isNaN(start) && !Number.isNaN(end)) return { from: new Date(start), to: new Date(end) };
  if (!Number.isNaN(start) && durationMs(b) !== undefined) return { from: new Date(start), to: new Date(start + durationMs(b)!) };
  if (!Number.isNaN(end) && durationMs(a) !== undefined) return { from: new Date(end - durationMs(a)!), to: new Date(end) };
  return undefined;
}

function durationMs(text: string): number | undefined {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) return undefined;
  const [, d, h, mi, s] = m;
  return ((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(mi ?? 0)) * 60_000 + Number(s ?? 0) * 1000;
}
