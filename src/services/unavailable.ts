/**
 * A dependency a request needs did not answer (storage down, timing out, throttling). The doors
 * turn it into 503 with Retry-After — the sender should try again — never into a generic 500.
 */
export class UnavailableError extends Error {
  override readonly name = 'UnavailableError';

  constructor(
    readonly system: string,
    message: string,
    /** What the door tells the sender in Retry-After. */
    readonly retryAfterSeconds: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
