import { describe, expect, it } from 'vitest';
import { keptBy, removable } from '../../../src/services/pipeline/retention.js';
import { emptyHead } from '../../../src/services/domain/head.js';
import type { Phase, Release } from '../../../src/services/domain/release.js';

const rel = (id: string, phase: Phase, updatedAt = '2026-01-01T00:00:00.000Z', extra: Partial<Release> = {}) =>
  ({ id, phase, kind: 'image', updatedAt, progress: {}, outcome: {}, ...extra }) as Release;
const cutoff = new Date('2026-06-01T00:00:00Z');

describe('what retention keeps', () => {
  it('keeps every release the head names, and what runs now', () => {
    const head = {
      ...emptyHead('a', 'dev'),
      active: { releaseId: 'r-active', target: 'x' },
      pending: { releaseId: 'r-pending', target: 'x' },
      lastGood: { releaseId: 'r-good', target: 'x' },
      latestBuild: { releaseId: 'r-build', target: 'x', commit: 'c' },
      lastBlocked: { releaseId: 'r-blocked', target: 'x' },
      quarantined: [{ digest: 'sha256:1', releaseId: 'r-bad', at: '' }],
    };
    // Newest first: an unverified release runs (it changed the cluster last); a rollback names where it went.
    const recent = [rel('r-new-blocked', 'blocked'), rel('r-running', 'unverified'), rel('r-old', 'succeeded')];
    expect([...keptBy(head, recent)].sort()).toEqual(
      ['r-active', 'r-bad', 'r-blocked', 'r-build', 'r-good', 'r-pending', 'r-running'].sort(),
    );
    const back = [
      rel('r-rb', 'rolled_back', undefined, {
        outcome: { rollback: { mode: 'image', image: 'i', toReleaseId: 'r-to', startedAt: '', reason: '' } },
      }),
    ];
    expect(keptBy(emptyHead('a', 'dev'), back)).toEqual(new Set(['r-to', 'r-rb']));
  });

  it('removes only ended, unnamed releases that ended before the cutoff and owe no notice', () => {
    const kept = new Set(['r-kept']);
    expect(removable(rel('r-1', 'succeeded'), kept, cutoff)).toBe(true);
    expect(removable(rel('r-kept', 'succeeded'), kept, cutoff)).toBe(false);
    expect(removable(rel('r-2', 'verifying'), kept, cutoff)).toBe(false);
    expect(removable(rel('r-3', 'blocked', '2026-07-01T00:00:00.000Z'), kept, cutoff)).toBe(false);
    expect(removable(rel('r-4', 'failed', undefined, { progress: { notifyPending: ['issue'] } }), kept, cutoff)).toBe(false);
  });
});
