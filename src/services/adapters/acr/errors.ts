/**
 * Maps ARM SDK errors, data-plane responses and network failures into AdapterError. Secrets
 * (the GitHub token in a build context URL, bearer tokens) are scrubbed from every message, and the
 * raw SDK error is never kept as `cause`: a RestError carries the request, body and all.
 */
import { adapterError, kindForStatus, type AdapterError } from '../../domain/result.js';
import type { Clock } from '../../ports.js';
import { SdkError } from './schema.js';

const SYSTEM = 'acr';

/** Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterMs(value: string | undefined | null, clock: Clock): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - clock.now().getTime());
}

export type Redact = (text: string) => string;

export const redactor =
  (secrets: () => (string | undefined)[]): Redact =>
  (text) => {
    let out = text;
    for (const s of secrets()) if (s && s.length >= 4) out = out.split(s).join('[redacted]');
    // Userinfo in any URL (https://user:secret@host) never leaves the adapter.
    return out.replace(/(https?:\/\/)[^/\s@]+@/gi, '$1[redacted]@');
  };

export function fromStatus(status: number, what: string, redact: Redact, clock: Clock, retryAfter?: string): AdapterError {
  const kind = kindForStatus(status);
  const wait = retryAfterMs(retryAfter, clock);
  return adapterError(SYSTEM, kind, redact(`${what}: HTTP ${status}`), {
    status,
    ...(wait !== undefined && (kind === 'rate-limited' || kind === 'transient') ? { retryAfterMs: wait } : {}),
  });
}

/** Anything thrown by the SDK or the HTTPS helper. */
export function fromThrown(e: unknown, what: string, redact: Redact, clock: Clock): AdapterError {
  const parsed = SdkError.safeParse(e);
  const message = e instanceof Error ? e.message : String(e);
  if (parsed.success && parsed.data.statusCode !== undefined) {
    const { statusCode, code, response } = parsed.data;
    const retryAfter = response?.headers.get('retry-after') ?? undefined;
    const base = fromStatus(statusCode, what, redact, clock, retryAfter);
    return { ...base, message: redact(`${what}: HTTP ${statusCode}${code ? ` ${code}` : ''}: ${message}`), cause: { code, statusCode } };
  }
  // No status: network, TLS, timeout or abort. All worth retrying later.
  const code = parsed.success ? parsed.data.code : undefined;
  return adapterError(SYSTEM, 'transient', redact(`${what}: ${message}`), code ? { cause: { code } } : {});
}

export const invalid = (message: string): AdapterError => adapterError(SYSTEM, 'invalid', message);
