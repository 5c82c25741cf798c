/**
 * Map what client-node throws into AdapterError: ApiException carries the HTTP status; network
 * failures (undici's "fetch failed" with a cause code) and timeouts are transient.
 */
import { ApiException } from '@kubernetes/client-node';
import { adapterError, kindForStatus, type AdapterError } from '../../domain/result.js';
import { StatusBody } from './schema.js';

const SYSTEM = 'kubernetes';
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

export function toAdapterError(e: unknown, what: string): AdapterError {
  if (e instanceof ApiException) {
    const code = e.code;
    const body = parseBody(e.body);
    const retryAfter = Number(e.headers?.['retry-after']);
    return adapterError(SYSTEM, kindForStatus(code), `${what}: ${body.message ?? `HTTP ${code}`}`, {
      status: code,
      ...(Number.isFinite(retryAfter) && retryAfter >= 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
      cause: body.reason,
    });
  }
  const code = networkCode(e);
  if (code) return adapterError(SYSTEM, 'transient', `${what}: ${code}`, { cause: code });
  // undici reports every network-level failure as a TypeError carrying the underlying cause.
  if (e instanceof TypeError && e.cause !== undefined)
    return adapterError(SYSTEM, 'transient', `${what}: network error`, { cause: e.cause });
  if (e instanceof Error && (e.name === 'AbortError' || e.name === 'TimeoutError')) {
    return adapterError(SYSTEM, 'transient', `${what}: timed out`, { cause: e.name });
  }
  return adapterError(SYSTEM, 'invalid', `${what}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}

function parseBody(body: unknown): StatusBody {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return {};
    }
  }
  const parsed = StatusBody.safeParse(value);
  return parsed.success ? parsed.data : {};
}

type StatusBody = { message?: string; reason?: string };

/** A Node/undici network error code anywhere in the cause chain. */
export function networkCode(e: unknown): string | undefined {
  for (let cur = e, depth = 0; cur && depth < 5; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}
