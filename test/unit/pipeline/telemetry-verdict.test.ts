/** From telemetry samples to looks and back to what people read: the bridge's edges. */
import { describe, expect, it } from 'vitest';
import {
  KEPT_LOOKS,
  decideApps,
  keepLooks,
  lookOf,
  measurementRecord,
  regressionWarning,
  testCounts,
} from '../../../src/services/pipeline/telemetry-verdict.js';
import { DEFAULT_VERIFICATION_SETTINGS as S } from '../../../src/services/verification/index.js';
import type { VerifyLook } from '../../../src/services/domain/release.js';

const look = (n: number, requests: number, failures: number): VerifyLook => ({ sample: n, atS: 30 * n, requests, failures, slow: 0 });

describe('samples as the test reads them', () => {
  it('counts retained rows when the telemetry says what sampling kept, the counts as given otherwise', () => {
    expect(testCounts({ requests: 1000, failures: 20, slow: 5, p95Ms: 1, retained: { requests: 100, failures: 2, slow: 1 } })).toEqual({
      requests: 100,
      failures: 2,
      slow: 1,
    });
    expect(testCounts({ requests: 1000, failures: 20, p95Ms: 1 })).toEqual({ requests: 1000, failures: 20 });
  });

  it('a look keeps the weighted counts only when sampling made them differ', () => {
    expect(lookOf({ requests: 10, failures: 1, slow: 0, p95Ms: 5, retained: { requests: 10, failures: 1, slow: 0 } }, 2, 60)).toEqual({
      sample: 2,
      atS: 60,
      requests: 10,
      failures: 1,
      slow: 0,
      p95Ms: 5,
    });
    expect(
      lookOf({ requests: 100, failures: 10, slow: 0, p95Ms: 5, retained: { requests: 10, failures: 1, slow: 0 } }, 2, 60).weighted,
    ).toEqual({
      requests: 100,
      failures: 10,
      slow: 0,
    });
  });

  it(`keeps at most ${KEPT_LOOKS} looks: the first 3 and the latest`, () => {
    const few = [look(1, 1, 0), look(2, 2, 0)];
    expect(keepLooks(few)).toBe(few);
    const many = Array.from({ length: KEPT_LOOKS + 5 }, (_, i) => look(i + 1, i + 1, 0));
    expect(keepLooks(many).map((l) => l.sample)).toEqual([1, 2, 3, ...Array.from({ length: KEPT_LOOKS - 3 }, (_, i) => i + 9)]);
  });
});

describe('several apps', () => {
  it('no app, no decision', () => {
    expect(decideApps([], { windowS: 300, extended: false }, S)).toBeUndefined();
  });

  it('a regression warning names the app when a release verifies several', () => {
    const apps = ['a', 'b'].map((app) => ({
      app,
      role: app,
      looks: [{ sample: 1, atS: 300, requests: 3000, failures: app === 'a' ? 24 : 2, slow: 20 }],
      baseline: { requests: 3000, failures: 2, slow: 20 },
    }));
    const v = decideApps(apps, { windowS: 300, extended: false }, S);
    expect(v?.worst.decision.outcome).toBe('healthy');
    expect(regressionWarning(v!, S)).toBe(
      'regression: a error rate significantly worse than before the deploy (more than 1.5 × the baseline), though within the threshold',
    );
  });

  it('measurements are the deciding app’s, with every app’s beside them', () => {
    const sample = (failures: number) => ({ requests: 100, failures, p95Ms: 10, slow: 0 });
    const meta = { at: 'now', from: 'then', thresholds: { errorRateMax: 0.01, p95MsMax: 2000, minRequests: 50 } };
    const m = measurementRecord(
      [
        { app: 'a', sample: sample(0) },
        { app: 'b', sample: sample(9) },
      ],
      'b',
      meta,
    );
    expect(m).toMatchObject({ requests: 100, failures: 9, errorRate: 0.09, perApp: { a: { failures: 0 }, b: { failures: 9 } } });
    expect(measurementRecord([{ app: 'a', sample: sample(1) }], 'a', meta)).not.toHaveProperty('perApp');
  });
});
