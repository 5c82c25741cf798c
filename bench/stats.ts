/** Small helpers shared by the benchmarks: percentiles and bounded polling. */

/** Nearest-rank percentile of a sample (p in 0..100); NaN for an empty sample. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? Number.NaN;
}

export const median = (values: number[]): number => percentile(values, 50);
export const max = (values: number[]): number => (values.length ? Math.max(...values) : Number.NaN);

export const round = (v: number, digits = 1): number => Math.round(v * 10 ** digits) / 10 ** digits;

/** Poll with an interval and a deadline; never a fixed sleep for an outcome. */
export async function until<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
  deadlineMs: number,
  intervalMs = 20,
): Promise<T> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`bench: timed out after ${deadlineMs} ms waiting for ${what}`);
}
