/** A record a fake keeps for tests and people (calls, proxied requests): the newest `max` entries only. */
export const RECORD_LIMIT = 10_000;

export function pushBounded<T>(list: T[], item: T, max = RECORD_LIMIT): void {
  list.push(item);
  // Drop a tenth at once so a full list is not shifted on every push.
  if (list.length > max) list.splice(0, list.length - max + Math.ceil(max / 10));
}
