import { describe, expect, it } from 'vitest';
import { mapBounded } from '../../../src/services/adapters/storage/bounded-map.js';

describe('mapBounded', () => {
  it('keeps at most `width` calls in flight and answers in input order', async () => {
    let inFlight = 0;
    let most = 0;
    const out = await mapBounded([5, 1, 4, 2, 3, 0, 6, 7, 8, 9], 3, async (n) => {
      inFlight++;
      most = Math.max(most, inFlight);
      // Finish out of order: later items overtake earlier ones.
      for (let i = 0; i < n; i++) await Promise.resolve();
      inFlight--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30, 0, 60, 70, 80, 90]);
    expect(most).toBe(3);
  });

  it('handles nothing to do, and a width wider than the work', async () => {
    expect(await mapBounded([], 8, () => Promise.resolve(1))).toEqual([]);
    expect(await mapBounded([1, 2], 8, (n) => Promise.resolve(n + 1))).toEqual([2, 3]);
  });
});
