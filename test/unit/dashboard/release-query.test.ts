import { describe, expect, it } from 'vitest';
import { historyOf, parseDoor, parsePhases } from '../../../src/services/release-query.js';

// Paging itself moved into the store's index (issue #19): test/integration/storage/release-index.test.ts.
describe('how far history goes', () => {
  it('is the retention age back from now, or all of it', () => {
    const now = new Date('2026-12-04T13:45:00Z');
    expect(historyOf(90, now)).toEqual({ retentionDays: 90, keptSince: '2026-09-05T00:00:00.000Z' });
    expect(historyOf(0, now)).toEqual({ retentionDays: null });
  });
});

describe('parsing', () => {
  it('accepts known phases and doors, names the first unknown one', () => {
    expect(parsePhases('rolled_back, failed')).toEqual({ ok: true, value: ['rolled_back', 'failed'] });
    expect(parsePhases(null)).toEqual({ ok: true, value: undefined });
    expect(parsePhases('succeeded,done')).toMatchObject({ ok: false, error: expect.stringMatching(/^phase: unknown phase "done"/) });
    expect(parseDoor('manual')).toEqual({ ok: true, value: 'manual' });
    expect(parseDoor('')).toEqual({ ok: true, value: undefined });
    expect(parseDoor('mail')).toMatchObject({ ok: false });
  });
});
