/**
 * A client-side deadline for one storage call on the request path: the call gets a signal that
 * aborts after `ms` (a TimeoutError, which the doors answer as 503), and the timer is cleared as
 * soon as the call settles. AbortSignal.timeout() did the same but stayed armed for the whole
 * deadline after the call was done — on every acknowledgement a 4 s timer, a signal kept alive
 * with its listeners, and a DOMException made when it fired on a finished call: about 11 µs of
 * CPU per call against about 2.5 µs for this one (#19).
 */
export async function withDeadline<T>(ms: number | undefined, call: (opts: { abortSignal?: AbortSignal }) => Promise<T>): Promise<T> {
  if (!ms) return call({});
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException(`no answer within ${ms} ms`, 'TimeoutError')), ms);
  // Like AbortSignal.timeout's: a pending deadline does not keep the process alive.
  timer.unref();
  try {
    return await call({ abortSignal: controller.signal });
  } finally {
    clearTimeout(timer);
  }
}
