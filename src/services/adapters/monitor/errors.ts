/**
 * Log Analytics failures → AdapterError. Decided on status, error names and service error codes,
 * never on message text. The cause kept is a small summary, not the SDK error (whose request
 * carries the Authorization header).
 */
import { adapterError, kindForStatus, type AdapterError } from '../../domain/result.js';
import { RestErrorLike, type ServiceErrorInfo } from './schema.js';

const SYSTEM = 'monitor';
/** @azure/identity failures: no token means the deployer cannot be authorised. */
const CREDENTIAL_ERRORS = new Set([
  'CredentialUnavailableError',
  'AuthenticationError',
  'AggregateAuthenticationError',
  'AuthenticationRequiredError',
]);
/** AbortSignal.timeout() raises TimeoutError; the pipeline surfaces aborts as AbortError. */
const TIMEOUT_ERRORS = new Set(['AbortError', 'TimeoutError']);

export function mapMonitorError(e: unknown, now: Date): AdapterError {
  const name = e instanceof Error ? e.name : undefined;
  if (name && TIMEOUT_ERRORS.has(name)) return adapterError(SYSTEM, 'transient', 'log analytics query timed out', { cause: { name } });
  if (name && CREDENTIAL_ERRORS.has(name))
    return adapterError(SYSTEM, 'auth', 'could not get a token for log analytics', { cause: { name } });

  const parsed = RestErrorLike.safeParse(e);
  if (!parsed.success) {
    return adapterError(SYSTEM, 'transient', 'log analytics query failed', { cause: { name: name ?? typeof e } });
  }
  const r = parsed.data;
  const codes = errorCodes(r.details?.error, r.code);
  const summary = { statusCode: r.statusCode, codes };
  if (r.statusCode === undefined) {
    // No HTTP answer at all (connection refused/reset, DNS): the backend is unreachable, for now.
    return adapterError(SYSTEM, 'transient', `log analytics unreachable${r.code ? ` (${r.code})` : ''}`, { cause: summary });
  }
  const kind = kindForStatus(r.statusCode);
  const message = `log analytics answered ${r.statusCode}${codes.length ? ` ${codes.join('/')}` : ''}: ${innermostMessage(r.details?.error) ?? r.message}`;
  const retryAfterMs = kind === 'rate-limited' || kind === 'transient' ? retryAfter(e, now) : undefined;
  return adapterError(SYSTEM, kind, message, {
    status: r.statusCode,
    cause: summary,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
}

/** Outer to inner service codes, e.g. ["BadArgumentError", "SemanticError", "SEM0100"]. */
export function errorCodes(info: ServiceErrorInfo | undefined, fallback?: string): string[] {
  const codes: string[] = [];
  for (let i: ServiceErrorInfo | undefined = info; i && codes.length < 5; i = i.innererror) if (i.code) codes.push(i.code);
  if (codes.length === 0 && fallback) codes.push(fallback);
  return codes;
}

function innermostMessage(info: ServiceErrorInfo | undefined): string | undefined {
  let msg: string | undefined;
  for (let i: ServiceErrorInfo | undefined = info, depth = 0; i && depth < 5; i = i.innererror, depth++) msg = i.message ?? msg;
  return msg;
}

/** Retry-After as seconds or an HTTP date; the Azure variants in milliseconds win when present. */
function retryAfter(e: unknown, now: Date): number | undefined {
  const headers = (e as { response?: { headers?: { get?: (n: string) => string | undefined } } }).response?.headers;
  if (typeof headers?.get !== 'function') return undefined;
  const ms = headers.get('retry-after-ms') ?? headers.get('x-ms-retry-after-ms');
  if (ms !== undefined && /^\d+$/.test(ms)) return Number(ms);
  const value = headers.get('retry-after');
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}
