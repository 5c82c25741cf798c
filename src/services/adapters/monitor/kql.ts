/**
 * The only KQL the telemetry adapter sends, built as a pure function so tests can parse it with the
 * Kusto language service. Values reach the query twice guarded: validated against a strict pattern
 * first, then emitted as escaped literals — never spliced in raw.
 */
import type { TelemetryQuery } from '../../ports.js';

/** Cloud role names as Application Insights SDKs and Kubernetes names produce them. */
export const ROLE_NAME = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;
/** Versions: semver (with +build), git SHAs, image tags and digests ("sha256:…"). */
export const APP_VERSION = /^[A-Za-z0-9][A-Za-z0-9._:+@-]{0,127}$/;

export type QueryProblem = { field: 'roleName' | 'version' | 'from' | 'to' | 'slowAboveMs'; message: string };

export function validateQuery(q: TelemetryQuery): QueryProblem | undefined {
  if (!ROLE_NAME.test(q.roleName)) return { field: 'roleName', message: 'roleName does not match the allowed pattern' };
  if (q.version !== undefined && !APP_VERSION.test(q.version))
    return { field: 'version', message: 'version does not match the allowed pattern' };
  if (Number.isNaN(q.from.getTime())) return { field: 'from', message: 'from is not a valid date' };
  if (Number.isNaN(q.to.getTime())) return { field: 'to', message: 'to is not a valid date' };
  if (q.to.getTime() <= q.from.getTime()) return { field: 'to', message: 'to must be after from' };
  if (q.slowAboveMs !== undefined && !(Number.isFinite(q.slowAboveMs) && q.slowAboveMs >= 0.001 && q.slowAboveMs <= MAX_SLOW_MS))
    return { field: 'slowAboveMs', message: `slowAboveMs must be a number of ms between 0.001 and ${MAX_SLOW_MS}` };
  return undefined;
}

/** An hour: no request threshold is longer (and the literal never needs an exponent). */
const MAX_SLOW_MS = 3_600_000;

/** A Kusto real literal in plain decimal notation, to the microsecond (the caller validated the range). */
export function kqlReal(value: number): string {
  const text = String(Number(value.toFixed(3)));
  if (!/^\d+(\.\d+)?$/.test(text)) throw new RangeError(`not a plain decimal: ${text}`);
  return `real(${text})`;
}

/**
 * A Kusto string literal for any string. Double-quoted with backslash escapes (Kusto "string data
 * type": \\, \", \n, \t, \r and \uXXXX are recognised); every code unit outside printable ASCII is
 * written as \uXXXX so newlines, quotes look-alikes and control characters cannot end the literal.
 */
export function kqlString(value: string): string {
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c >= 0x20 && c <= 0x7e) out += value[i];
    else out += `\\u${c.toString(16).padStart(4, '0')}`;
  }
  return `${out}"`;
}

/** A Kusto datetime literal; ISO 8601 in UTC is one of its accepted forms. */
export function kqlDatetime(d: Date): string {
  return `datetime(${d.toISOString()})`;
}

/**
 * Requests, failures and P95 of one role (and version) over [from, to) — and, when slowAboveMs is
 * given, how many requests were slower than it (the verification rule tests that share instead of
 * the noisy sample P95, which stays for display).
 *
 * Workspace-based Application Insights stores one row per *retained* request with ItemCount = how
 * many it stands for after sampling. The sums of ItemCount are what people read (requests served,
 * the weighted P95); the retained-row counts (count(), countif()) are what the statistical test
 * reads: a retained row at ItemCount 10 is one observation, not ten, and counting it ten times
 * would overstate the evidence tenfold. Without sampling both are equal.
 * Caller must have validated `q` (validateQuery); the literals are escaped regardless.
 */
export function buildRequestsQuery(q: TelemetryQuery): string {
  const over = q.slowAboveMs !== undefined ? `DurationMs > ${kqlReal(q.slowAboveMs)}` : undefined;
  const weighted = `requests = sum(ItemCount), failures = sumif(ItemCount, Success == false)${over ? `, slow = sumif(ItemCount, ${over})` : ''}`;
  const retained = `retainedRequests = count(), retainedFailures = countif(Success == false)${over ? `, retainedSlow = countif(${over})` : ''}`;
  return [
    'AppRequests',
    `| where TimeGenerated >= ${kqlDatetime(q.from)} and TimeGenerated < ${kqlDatetime(q.to)}`,
    `| where AppRoleName == ${kqlString(q.roleName)}`,
    ...(q.version !== undefined ? [`| where AppVersion == ${kqlString(q.version)}`] : []),
    `| summarize ${weighted}, p95Ms = percentilew(DurationMs, ItemCount, 95), ${retained}`,
  ].join('\n');
}

/** Cheapest query that proves reachability, auth and that the AppRequests table exists. */
export const PING_QUERY = 'AppRequests | take 0 | count';
