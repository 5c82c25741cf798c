import { describe, expect, it } from 'vitest';
import { runningOf } from '../../../src/services/board.js';
import { emptyHead } from '../../../src/services/domain/head.js';
import type { Release } from '../../../src/services/domain/release.js';

const rel = (id: string, phase: Release['phase'], extra: Partial<Release> = {}) =>
  ({ id, phase, kind: 'image', updatedAt: `2026-12-01T10:0${id.length}:00Z`, outcome: {}, ...extra }) as Release;
const head = { ...emptyHead('a', 'dev'), lastGood: { releaseId: 'good', target: 'sha256:1' } };

describe('what runs: the newest release that changed the cluster and ended', () => {
  it('a succeeded or unverified release runs; blocked, superseded, builds and releases in progress changed nothing yet', () => {
    const recent = [
      rel('q', 'verifying'),
      rel('b', 'blocked'),
      rel('s', 'superseded'),
      rel('bu', 'failed', { kind: 'build' }),
      rel('ok', 'succeeded'),
    ];
    expect(runningOf(recent, head)).toMatchObject({ releaseId: 'ok', state: 'verified' });
    expect(runningOf([rel('u', 'unverified'), rel('ok', 'succeeded')], head)).toMatchObject({ releaseId: 'u', state: 'unverified' });
  });

  it('a rollback puts its target back; a failed rollback leaves the state unknown', () => {
    const rb = rel('rb', 'rolled_back', {
      outcome: { rollback: { mode: 'image', image: 'x', toReleaseId: 'ok', startedAt: '', reason: 'r' } },
    });
    expect(runningOf([rb, rel('ok', 'succeeded')], head)).toEqual({ releaseId: 'ok', state: 'verified', since: rb.updatedAt, via: 'rb' });
    const undo = rel('ud', 'rolled_back', { outcome: { rollback: { mode: 'undo', startedAt: '', reason: 'r' } } });
    expect(runningOf([undo], head)).toMatchObject({ releaseId: 'good', via: 'ud' });
    const failed = rel('f', 'failed', { outcome: { rollbackFailure: { reason: 'crash', podProblems: [] } } });
    expect(runningOf([failed], head)).toMatchObject({ releaseId: 'f', state: 'unknown' });
  });

  it('falls back to the last verified release beyond the recent ones, and to nothing', () => {
    expect(runningOf([rel('b', 'blocked')], head)).toEqual({ releaseId: 'good', state: 'verified', since: '' });
    expect(runningOf([], emptyHead('a', 'dev'))).toBeUndefined();
  });
});
