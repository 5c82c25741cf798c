/**
 * The summary row as the adapter reads it: columns by name, `slow` only when asked, and required
 * then; the retained-row counts (what sampling kept) beside the ItemCount-weighted ones.
 */
import { describe, expect, it } from 'vitest';
import { readSample } from '../../../src/services/adapters/monitor/telemetry.js';

const table = (names: string[], row: unknown[]) => [
  { name: 'PrimaryResult', columnDescriptors: names.map((name) => ({ name })), rows: [row] },
];
const RETAINED = ['retainedRequests', 'retainedFailures'];

describe('readSample', () => {
  it('reads slow when asked, in any column order, numbers or numeric strings', () => {
    expect(
      readSample(
        table(['p95Ms', 'slow', 'failures', 'requests', 'retainedSlow', ...RETAINED], [2100.5, '42', 3, '1500', 42, '1500', 3]),
        true,
      ),
    ).toEqual({
      ok: true,
      value: { requests: 1500, failures: 3, slow: 42, p95Ms: 2100.5, retained: { requests: 1500, failures: 3, slow: 42 } },
    });
  });

  it('under sampling the weighted counts and the retained rows differ, and both are kept', () => {
    expect(
      readSample(table(['requests', 'failures', 'slow', 'p95Ms', ...RETAINED, 'retainedSlow'], [1500, 30, 60, 480, 150, 3, 6]), true),
    ).toEqual({
      ok: true,
      value: { requests: 1500, failures: 30, slow: 60, p95Ms: 480, retained: { requests: 150, failures: 3, slow: 6 } },
    });
  });

  it('a result without the slow column it asked for is invalid, not "0 slow requests"', () => {
    for (const names of [
      ['requests', 'failures', 'p95Ms', ...RETAINED],
      ['requests', 'failures', 'p95Ms', 'slow', ...RETAINED],
    ]) {
      expect(readSample(table(names, [1500, 3, 180, 2, 1500, 3]), true)).toMatchObject({
        ok: false,
        error: { kind: 'invalid', message: 'log analytics summary row has no slow column' },
      });
    }
  });

  it('a result without the retained-row counts is invalid: the test must not count weighted requests as observations', () => {
    expect(readSample(table(['requests', 'failures', 'p95Ms'], [1500, 3, 180]), false)).toMatchObject({
      ok: false,
      error: { kind: 'invalid' },
    });
  });

  it('without asking, the sample has no slow field, whatever the table says', () => {
    expect(readSample(table(['requests', 'failures', 'p95Ms', ...RETAINED], [1500, 3, null, 1500, 3]), false)).toEqual({
      ok: true,
      value: { requests: 1500, failures: 3, p95Ms: null, retained: { requests: 1500, failures: 3 } },
    });
    expect(
      readSample(table(['requests', 'failures', 'slow', 'p95Ms', ...RETAINED, 'retainedSlow'], [1500, 3, 9, 180, 1500, 3, 9]), false),
    ).toEqual({
      ok: true,
      value: { requests: 1500, failures: 3, p95Ms: 180, retained: { requests: 1500, failures: 3 } },
    });
  });

  it('a negative or fractional count is invalid', () => {
    for (const bad of [-1, 2.5, 'x']) {
      expect(
        readSample(table(['requests', 'failures', 'slow', 'p95Ms', ...RETAINED, 'retainedSlow'], [1500, 3, bad, 180, 1500, 3, 9]), true),
      ).toMatchObject({ ok: false, error: { kind: 'invalid' } });
      expect(
        readSample(table(['requests', 'failures', 'slow', 'p95Ms', ...RETAINED, 'retainedSlow'], [1500, 3, 9, 180, 1500, bad, 9]), true),
      ).toMatchObject({ ok: false, error: { kind: 'invalid' } });
    }
  });
});
