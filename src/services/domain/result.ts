/** Expected outcomes are values, not exceptions (STYLE.md, "Boundaries"). */
export type Result<T, E = AdapterError> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const err = <E>(error: E): { ok: false; error: E } => ({ ok: false, error });

/**
 * The small, typed set every adapter maps SDK/HTTP failures into. Policy (retry, give up, block)
 * is decided by the pipeline from `kind`, never from message text.
 */
export type AdapterErrorKind = 'transient' | 'rate-limited' | 'auth' | 'not-found' | 'conflict' | 'invalid';

export interface AdapterError {
  kind: AdapterErrorKind;
  /** Which system answered, e.g. "kubernetes", "github", "monitor", "acr". */
  system: string;
  message: string;
  status?: number;
  /** Set for rate-limited (Retry-After, x-ratelimit-reset) and sometimes transient errors. */
  retryAfterMs?: number;
  cause?: unknown;
}

export function adapterError(
  system: string,
  kind: AdapterErrorKind,
  message: string,
  extra: Partial<Pick<AdapterError, 'status' | 'retryAfterMs' | 'cause'>> = {},
): AdapterError {
  return { system, kind, message, ...extra };
}

/** Map an HTTP status to the error kind most callers want; adapters may refine. */
export function kindForStatus(status: number): AdapterErrorKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 404 || status === 410) return 'not-found';
  if (status === 409 || status === 412) return 'conflict';
  if (status === 429) return 'rate-limited';
  if (status >= 500 || status === 408) return 'transient';
  return 'invalid';
}
