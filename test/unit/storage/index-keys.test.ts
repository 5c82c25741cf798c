import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  creationViews,
  endingViews,
  invertedTime,
  olderBound,
  viewKey,
  keyRange,
} from '../../../src/services/adapters/storage/index-keys.js';
import { releaseRowKey } from '../../../src/services/adapters/storage/entities.js';
import { decodeCursor, encodeCursor } from '../../../src/services/release-query.js';

const id = (n: number) => `r-${n.toString(36)}-${(n % 0xffffff).toString(16).padStart(6, '0')}`;
const ms = fc.integer({ min: 0, max: 1e13 - 1 });
const name = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/);

describe('release index keys', () => {
  test.prop([ms, ms, fc.nat(), fc.nat()])('a newer release sorts first, whatever the ids', (a, b, i, j) => {
    fc.pre(a !== b);
    const [newer, older] = a > b ? [a, b] : [b, a];
    expect(releaseRowKey(id(i), new Date(newer)) < releaseRowKey(id(j), new Date(older))).toBe(true);
  });

  it('inverts time into 13 digits at both ends of the range and clamps outside it', () => {
    expect(invertedTime(0)).toBe('9999999999999');
    expect(invertedTime(1e13 - 1)).toBe('0000000000001');
    expect(invertedTime(-5)).toBe('9999999999999');
    expect(invertedTime(2e13)).toBe('0000000000000');
    expect(invertedTime(Date.parse('2026-12-04T00:00:00Z'))).toHaveLength(13);
    // The store's own release row key uses the same inversion.
    expect(releaseRowKey('r-a-000000', new Date(0))).toBe(`R${invertedTime(0)}-r-a-000000`);
  });

  const view = fc.record(
    { app: name, environment: name, door: fc.constantFrom('github', 'acr', 'manual'), phase: fc.constantFrom('succeeded', 'rolled_back') },
    { requiredKeys: [] },
  );
  test.prop([view, view])('two different views never share a partition', (a, b) => {
    fc.pre(JSON.stringify(Object.entries(a).sort()) !== JSON.stringify(Object.entries(b).sort()));
    expect(viewKey(a)).not.toBe(viewKey(b));
  });

  test.prop([ms, ms])('a range after a position holds exactly the older keys, up to its bound', (a, b) => {
    fc.pre(a !== b);
    const after = releaseRowKey(id(1), new Date(Math.max(a, b)));
    const key = releaseRowKey(id(2), new Date(Math.min(a, b)));
    const filter = keyRange(after, olderBound(after, 0, 1_000));
    const [, from, to] = /RowKey gt '(.+)' and RowKey lt '(.+)'/.exec(filter) ?? [];
    const inside = key > (from ?? '') && key < (to ?? '');
    expect(inside).toBe(Math.abs(a - b) < 1_000);
  });

  it.each([
    ['a quote', "R0000000000001' or '1'='1"],
    ['a bare word', 'zzz'],
    ['too few digits', 'R123'],
    ['a key with a foreign id', 'R0000000000001-x'],
  ])('refuses %s as a range bound', (_what, k) => {
    expect(() => keyRange(k)).toThrow(/^index range: /);
    expect(() => keyRange(undefined, k)).toThrow(/^index range: /);
  });

  it('names every view a release belongs to: four scopes, each with and without its door, then by its ending', () => {
    const r = { app: 'tailspin-server', environment: 'dev', source: { door: 'acr' as const, eventId: 'e' } };
    expect(creationViews(r)).toEqual([
      '*',
      'd=acr',
      'a=tailspin-server',
      'a=tailspin-server,d=acr',
      'e=dev',
      'e=dev,d=acr',
      'a=tailspin-server,e=dev',
      'a=tailspin-server,e=dev,d=acr',
    ]);
    expect(endingViews(r, 'rolled_back')).toContain('a=tailspin-server,e=dev,p=rolled_back,d=acr');
    expect(endingViews(r, 'verifying')).toEqual([]);
  });

  it.each([
    ['a slash', { app: 'a/b' }],
    ['a hash', { app: 'a#b' }],
    ['a question mark', { environment: 'dev?' }],
    ['a quote (OData injection)', { app: "x' or true or 'a" }],
    ['a control character', { environment: 'de\u0001v' }],
    ['a separator', { app: 'a!b' }],
    ['an empty name', { app: '' }],
    ['upper case', { environment: 'Dev' }],
    ['an unknown phase shape', { phase: 'rolled-back' as never }],
  ])('refuses %s in a view', (_what, v) => {
    expect(() => viewKey(v)).toThrow(/^index view /);
  });

  test.prop([ms, fc.integer({ min: 0, max: 2 ** 40 })])('a cursor round-trips to the key it was made of', (t, n) => {
    const key = releaseRowKey(id(n), new Date(t));
    const c = encodeCursor(key);
    expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(c)).toEqual({ ok: true, value: key });
  });

  it.each([
    ['empty', ''],
    ['not base64url', 'abc+/=='],
    ['too long', 'A'.repeat(201)],
    ['another prefix', Buffer.from('c2:R0000000000001-r-a-000000').toString('base64url')],
    ['a key with a quote', Buffer.from("c1:R0000000000001-r-a-000000' or '1'='1").toString('base64url')],
    ['a key outside the shape', Buffer.from('c1:R00001-r-a-000000').toString('base64url')],
    ['a bare time bound', Buffer.from('c1:R0000000000001').toString('base64url')],
    ['a view range end', Buffer.from('c1:~').toString('base64url')],
  ])('refuses a hostile cursor: %s', (_what, text) => {
    expect(decodeCursor(text)).toEqual({ ok: false, error: expect.stringMatching(/^cursor: /) as unknown });
  });

  test.prop([fc.string({ maxLength: 300 })])('decodes nothing it did not make', (text) => {
    const out = decodeCursor(text);
    if (out.ok && out.value !== undefined) expect(encodeCursor(out.value)).toBe(text);
  });

  it('bounds a window by time, and stops at the oldest time a key can hold', () => {
    const key = releaseRowKey(id(1), new Date(1e13 - 5_000));
    expect(olderBound(key, 0, 1_000)).toBe(`R${(5_000 + 1_000).toString().padStart(13, '0')}`);
    expect(olderBound(undefined, 1e13 - 10, 5)).toBe('R0000000000015');
    expect(olderBound(releaseRowKey(id(1), new Date(10)), 0, 1e6)).toBeUndefined();
    expect(olderBound(key, 0, Infinity)).toBeUndefined();
  });
});
