import { describe, expect, it } from 'vitest';
import { keepHistory, keptBy, removable, RETENTION_EVERY_MS, type RetentionPace } from '../../../src/services/pipeline/retention.js';
import type { PipelineDeps } from '../../../src/services/pipeline/deps.js';
import { silentLogger } from '../../../src/services/logger.js';
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

describe('retention keeps its own pace, not the sweeper tick’s', () => {
  /** A store with `expired` ready to hand out `old` releases past the age (none kept), counting its calls. */
  const counted = (old: number) => {
    let expiredCalls = 0;
    let left = old;
    const store = {
      backfill: () => Promise.resolve({ indexed: 0, done: true }),
      expired: (_cutoff: Date, limit: number) => {
        expiredCalls++;
        const n = Math.min(limit, left);
        return Promise.resolve({ releases: Array.from({ length: n }, (_, i) => rel(`r-${left}-${i}`, 'succeeded')) });
      },
      head: (app: string, env: string) => Promise.resolve(emptyHead(app, env)),
      list: () => Promise.resolve([]),
      remove: () => {
        left--;
        return Promise.resolve('removed' as const);
      },
    };
    return { store, calls: () => expiredCalls };
  };
  const at = (ms: number) => ({ now: () => new Date(Date.parse('2026-12-04T12:00:00Z') + ms) });
  const depsOf = (store: unknown, ms: number) =>
    ({ store, clock: at(ms), logger: silentLogger, settings: { retentionDays: 90 } }) as unknown as PipelineDeps;

  it('one pass per ten minutes while there is little to remove; at once again after a full batch', async () => {
    const { store, calls } = counted(150);
    const pace: RetentionPace = { nextAt: -Infinity };
    expect(await keepHistory(depsOf(store, 0), pace)).toEqual({ indexed: 0, removed: 100 });
    // A full batch: more may be waiting, so the next tick looks again.
    expect(await keepHistory(depsOf(store, 30_000), pace)).toEqual({ indexed: 0, removed: 50 });
    expect(calls()).toBe(2);
    // Then nothing for ten minutes of 30-s ticks.
    for (let t = 60_000; t < 30_000 + RETENTION_EVERY_MS; t += 30_000) await keepHistory(depsOf(store, t), pace);
    expect(calls()).toBe(2);
    await keepHistory(depsOf(store, 30_000 + RETENTION_EVERY_MS), pace);
    expect(calls()).toBe(3);
  });
});
