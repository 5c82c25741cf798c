import { describe, expect, it } from 'vitest';
import { historyHref, parseRoute, releaseHref } from '../../../src/dashboard/ui/route.js';
import { ago, digestOf, pct, shortDigest, tone } from '../../../src/dashboard/ui/format.js';
import { notModified } from '../../../src/functions/conditional.js';

describe('routes', () => {
  it('reads the three views and refuses anything else', () => {
    expect(parseRoute('')).toEqual({ view: 'board' });
    expect(parseRoute('#key=abc')).toEqual({ view: 'board' });
    expect(parseRoute(releaseHref('r-abc-0a0b0c'))).toEqual({ view: 'release', id: 'r-abc-0a0b0c' });
    const h = parseRoute(historyHref({ app: 'a', phase: 'rolled_back', door: undefined }));
    expect(h.view === 'history' && Object.fromEntries(h.query)).toEqual({ app: 'a', phase: 'rolled_back' });
    expect(parseRoute('#/releases/<script>')).toEqual({ view: 'missing', path: '/releases/<script>' });
  });
});

describe('formatting', () => {
  it('reads digests, rates, ages and tones', () => {
    expect(digestOf('reg/repo@sha256:abcdef0123456789')).toBe('sha256:abcdef0123456789');
    expect(shortDigest('sha256:abcdef0123456789')).toBe('abcdef012345');
    expect([pct(0.0412), pct(null)]).toEqual(['4.12 %', 'n/a']);
    const now = Date.parse('2026-12-01T10:00:00Z');
    expect(
      ['2026-12-01T09:59:30Z', '2026-12-01T09:30:00Z', '2026-12-01T07:00:00Z', '2026-11-28T10:00:00Z'].map((t) => ago(t, now)),
    ).toEqual(['30 s ago', '30 min ago', '3 h ago', '3 d ago']);
    expect(['succeeded', 'rolled_back', 'unverified', 'superseded', 'verifying'].map(tone)).toEqual([
      'good',
      'bad',
      'warn',
      'plain',
      'busy',
    ]);
  });
});

describe('If-None-Match', () => {
  it('matches the strong tag, its weak form, a list and *', () => {
    expect(notModified('"a"', '"a"')).toBe(true);
    expect(notModified('W/"a"', '"a"')).toBe(true);
    expect(notModified('"b", "a"', '"a"')).toBe(true);
    expect(notModified('*', '"a"')).toBe(true);
    expect(notModified('"b"', '"a"')).toBe(false);
    expect(notModified(null, '"a"')).toBe(false);
  });
});
