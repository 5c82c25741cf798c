/**
 * GitHub failures → AdapterError. Rate limits follow GitHub's documented signals, never message
 * text: `retry-after` (secondary limits, 429) or `x-ratelimit-remaining: 0` + `x-ratelimit-reset`
 * (primary limit). A 403 with neither is a permission problem.
 */
import { adapterError, kindForStatus, type AdapterError } from '../../domain/result.js';
import type { Clock } from '../../ports.js';
import { GitHubErrorBody, HttpFailure } from './schema.js';

const SYSTEM = 'github';
/** GitHub: "wait at least one minute" when a limit gives no explicit time. */
const DEFAULT_WAIT_MS = 60_000;

export function toAdapterError(e: unknown, clock: Clock): AdapterError {
  const failure = HttpFailure.safeParse(e);
  if (!failure.success) {
    return adapterError(SYSTEM, 'transient', e instanceof Error ? e.message : 'request failed', { cause: redactCause(e) });
  }
  const { status } = failure.data;
  const headers = failure.data.response?.headers ?? {};
  const body = GitHubErrorBody.safeParse(failure.data.response?.data);
  const message = describe(status, body.success ? body.data : {}, failure.data.message);
  const retryAfterMs = rateLimitWait(status, headers, clock);
  if (retryAfterMs !== undefined) return adapterError(SYSTEM, 'rate-limited', message, { status, retryAfterMs });
  // 400/422: our request is wrong; 403 without limit headers: the credential lacks a permission.
  return adapterError(SYSTEM, kindForStatus(status), message, { status });
}

function rateLimitWait(status: number, headers: Record<string, string | number | undefined>, clock: Clock): number | undefined {
  if (status !== 403 && status !== 429) return undefined;
  const retryAfter = Number(headers['retry-after']);
  if (headers['retry-after'] !== undefined && Number.isFinite(retryAfter)) return Math.max(0, retryAfter * 1000);
  if (String(headers['x-ratelimit-remaining']) === '0') {
    const reset = Number(headers['x-ratelimit-reset']);
    if (Number.isFinite(reset)) return Math.max(1000, reset * 1000 - clock.now().getTime());
    return DEFAULT_WAIT_MS;
  }
  return status === 429 ? DEFAULT_WAIT_MS : undefined;
}

function describe(status: number, body: GitHubErrorBody, fallback: string | undefined): string {
  const base = body.message ?? fallback ?? `HTTP ${status}`;
  const details = (body.errors ?? []).map((x) =>
    typeof x === 'string' ? x : (x.message ?? [x.resource, x.field, x.code].filter(Boolean).join(' ')),
  );
  return details.length ? `${base}: ${details.join('; ')}` : base;
}

/** Keep only what is safe to log: network errors can carry request options with headers. */
function redactCause(e: unknown): unknown {
  return e instanceof Error ? { name: e.name, message: e.message } : undefined;
}
