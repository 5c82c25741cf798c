import { describe, expect, it } from 'vitest';
import { pageOf, parseDoor, parsePhases } from '../../../src/services/release-query.js';
import type { Release } from '../../../src/services/domain/release.js';

const rel = (i: number, phase: Release['phase'], door: Release['source']['door'] = 'acr') =>
  ({ id: `r-${i}-000000`, phase, source: { door, eventId: `e${i}` } }) as Release;
// Newest first, as the store lists them.
const all = [rel(9, 'succeeded'), rel(8, 'rolled_back'), rel(7, 'succeeded', 'manual'), rel(6, 'blocked'), rel(5, 'succeeded')];
const ids = (rs: Release[]) => rs.map((r) => r.id.split('-')[1]);

describe('pageOf', () => {
  it('pages with a cursor and says when there is more', () => {
    const p1 = pageOf(all, { limit: 2 }, 500);
    expect([ids(p1.releases), p1.next]).toEqual([['9', '8'], 'r-8-000000']);
    const p2 = pageOf(all, { limit: 2, before: p1.next }, 500);
    expect([ids(p2.releases), p2.next]).toEqual([['7', '6'], 'r-6-000000']);
    const p3 = pageOf(all, { limit: 2, before: p2.next }, 500);
    expect(p3).toEqual({ releases: [all[4]] });
  });

  it('filters by phases and door before paging', () => {
    expect(ids(pageOf(all, { limit: 10, phases: ['succeeded'] }, 500).releases)).toEqual(['9', '7', '5']);
    expect(ids(pageOf(all, { limit: 10, phases: ['succeeded'], door: 'manual' }, 500).releases)).toEqual(['7']);
    expect(pageOf(all, { limit: 1, phases: ['succeeded', 'blocked'] }, 500).next).toBe('r-9-000000');
  });

  it('marks a search that ran out of its window as truncated, and a cursor outside it as empty', () => {
    expect(pageOf(all, { limit: 10, phases: ['failed'] }, 5)).toEqual({ releases: [], truncated: true });
    expect(pageOf(all, { limit: 10, phases: ['failed'] }, 500)).toEqual({ releases: [] });
    expect(pageOf(all, { limit: 10, before: 'r-1-000000' }, 5)).toEqual({ releases: [], truncated: true });
    // The first plain page reads one more than it shows: a full window there means "more", not "truncated".
    expect(pageOf(all.slice(0, 3), { limit: 2 }, 3)).toEqual({ releases: all.slice(0, 2), next: 'r-8-000000' });
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
