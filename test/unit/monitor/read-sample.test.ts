/** The summary row as the adapter reads it: columns by name, `slow` only when asked, and required then. */
import { describe, expect, it } from 'vitest';
import { readSample } from '../../../src/services/adapters/monitor/telemetry.js';

const table = (names: string[], row: unknown[]) => [
  { name: 'PrimaryResult', columnDescriptors: names.map((name) => ({ name })), rows: [row] },
];

describe('readSample', () => {
  it('reads slow when asked, in any column order, numbers or numeric strings', () => {
    expect(readSample(table(['p95Ms', 'slow', 'failures', 'requests'], [2100.5, '42', 3, '1500']), true)).toEqual({
      ok: true,
      value: { requests: 1500, failures: 3, slow: 42, p95Ms: 2100.5 },
    });
  });

  it('a result without the slow column it asked for is invalid, not "0 slow requests"', () => {
    expect(readSample(table(['requests', 'failures', 'p95Ms'], [1500, 3, 180]), true)).toMatchObject({
      ok: false,
      error: { kind: 'invalid', message: 'log analytics summary row has no slow column' },
    });
  });

  it('without asking, the sample has no slow field (old shape), whatever the table says', () => {
    expect(readSample(table(['requests', 'failures', 'p95Ms'], [1500, 3, null]), false)).toEqual({
      ok: true,
      value: { requests: 1500, failures: 3, p95Ms: null },
    });
    expect(readSample(table(['requests', 'failures', 'slow', 'p95Ms'], [1500, 3, 9, 180]), false)).toEqual({
      ok: true,
      value: { requests: 1500, failures: 3, p95Ms: 180 },
    });
  });

  it('a negative or fractional slow count is invalid', () => {
    for (const bad of [-1, 2.5, 'x']) {
      expect(readSample(table(['requests', 'failures', 'slow', 'p95Ms'], [1500, 3, bad, 180]), true)).toMatchObject({
        ok: false,
        error: { kind: 'invalid' },
      });
    }
  });
});
