/**
 * How much the ACR, GitHub, Log Analytics and Kubernetes fakes keep of their own records (calls, queries, task runs):
 * the newest 2,000 each. About 300 releases' worth — more than any test looks back — while a sandbox that
 * runs for hours (`npm start`, the in-flight bench) stops growing: unbounded, these records were the
 * host's whole heap growth past the first few hundred releases (issue #19).
 */
export const FAKE_RECORDS = 2_000;

/** The Kubernetes fake's record of Deployment changes (kubernetes/writes.ts): a storm's one-writer check reads all of it. */
export const WRITE_RECORDS = 10_000;

/** Push onto a record that keeps only the newest `max` entries. */
export function pushBounded<T>(list: T[], item: T, max = FAKE_RECORDS): void {
  list.push(item);
  // Drop a tenth at once so a full list is not shifted on every push.
  if (list.length > max) list.splice(0, list.length - max + Math.ceil(max / 10));
}
