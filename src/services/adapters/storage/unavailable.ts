/**
 * Storage failures that mean "not reachable now" (refused, reset, timed out, 5xx, throttled) as
 * UnavailableError, so the doors answer 503 with Retry-After. Anything else — a conflict, a
 * missing row, a bug — passes through unchanged.
 */
import { UnavailableError } from '../../unavailable.js';

const RETRY_AFTER_SECONDS = 5;

/** Duck-typed: several copies of core-rest-pipeline may be loaded, so instanceof is unreliable. */
export function isStorageUnavailable(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const { name, statusCode } = e as { name?: unknown; statusCode?: unknown };
  if (name === 'AbortError' || name === 'TimeoutError') return true;
  if (name !== 'RestError') return false;
  // A RestError without a status never reached the service (refused, reset, DNS).
  if (typeof statusCode !== 'number') return true;
  return statusCode >= 500 || statusCode === 408 || statusCode === 429;
}

const describe = (e: unknown): string => {
  const { code, statusCode, message } = e as { code?: unknown; statusCode?: unknown; message?: unknown };
  const what =
    typeof code === 'string'
      ? code
      : typeof statusCode === 'number'
        ? `HTTP ${statusCode}`
        : typeof message === 'string'
          ? message
          : 'no answer';
  return `storage is unavailable (${what})`;
};

/** The same object, each of its async methods rethrowing storage outages as UnavailableError. */
export function unavailableAsError<T extends object>(target: T): T {
  return new Proxy(target, {
    get(obj, key, receiver) {
      const value: unknown = Reflect.get(obj, key, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const out: unknown = (value as (...a: unknown[]) => unknown).apply(obj, args);
        if (!(out instanceof Promise)) return out;
        return out.catch((e: unknown) => {
          throw isStorageUnavailable(e) ? new UnavailableError('storage', describe(e), RETRY_AFTER_SECONDS, { cause: e }) : e;
        });
      };
    },
  });
}
