import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  CANDIDATE_TAG,
  envTag,
  OCI_TAG,
  planKeptTags,
  VERIFIED_DIGEST_TAG,
  verifiedDigestTag,
} from '../../../src/services/domain/kept-tags.js';
import { keepTag } from '../../../src/services/domain/promotion.js';

const D1 = `sha256:${'a1'.repeat(32)}`;
const D2 = `sha256:${'b2'.repeat(32)}`;

describe('kept tag names', () => {
  it('a plain environment reads as itself', () => {
    expect(envTag('deployed', 'dev')).toBe('deployed-dev');
    expect(envTag('verified', 'prod-eu')).toBe('verified-prod-eu');
  });

  it('the per-digest verified tag is named by the whole digest, and is neither a candidate nor an environment tag', () => {
    expect(verifiedDigestTag(D1)).toBe(`verified-sha256-${'a1'.repeat(32)}`);
    expect(VERIFIED_DIGEST_TAG.test(verifiedDigestTag(D1))).toBe(true);
    expect(CANDIDATE_TAG.test(verifiedDigestTag(D1))).toBe(false);
    expect(CANDIDATE_TAG.test(keepTag(D1))).toBe(true);
    expect(CANDIDATE_TAG.test('c0ffee'.padEnd(40, '0'))).toBe(true);
  });

  it.each([
    ['slashes and spaces', 'prod/eu west'],
    ['unicode', 'prüfung-ü'],
    ['empty', ''],
    ['a leading dot or dash', '.hidden'],
    ['too long', 'e'.repeat(300)],
    ['a name that reads as a per-digest tag', `sha256-${'c'.repeat(64)}`],
    ['a colon (repository:tag)', 'dev:latest'],
  ])('a hostile environment name (%s) still makes a valid tag the purge never matches', (_why, env) => {
    for (const kind of ['deployed', 'verified'] as const) {
      const t = envTag(kind, env);
      expect(t).toMatch(OCI_TAG);
      expect(t.startsWith(`${kind}-`)).toBe(true);
      expect(VERIFIED_DIGEST_TAG.test(t)).toBe(false);
      expect(CANDIDATE_TAG.test(t)).toBe(false);
    }
  });

  it('two environments whose names clean up alike still get different tags', () => {
    expect(envTag('deployed', 'prod/eu')).not.toBe(envTag('deployed', 'prod-eu'));
    expect(envTag('deployed', 'prod/eu')).not.toBe(envTag('deployed', 'prod eu'));
  });

  test.prop([fc.string({ maxLength: 400 })])('any environment name makes a valid OCI tag, never a purged one', (env) => {
    for (const kind of ['deployed', 'verified'] as const) {
      const t = envTag(kind, env);
      expect(t).toMatch(OCI_TAG);
      expect(VERIFIED_DIGEST_TAG.test(t) || CANDIDATE_TAG.test(t)).toBe(false);
    }
  });

  test.prop([fc.string({ maxLength: 60 }), fc.string({ maxLength: 60 })])('different environments, different tags', (a, b) => {
    fc.pre(a !== b);
    expect(envTag('verified', a)).not.toBe(envTag('verified', b));
  });
});

describe('planKeptTags', () => {
  it('an image set on the cluster moves deployed-<env> only', () => {
    expect(planKeptTags('deployed', 'dev', [{ repository: 'tailspin-server', digest: D1 }])).toEqual([
      { repository: 'tailspin-server', digest: D1, tags: ['deployed-dev'] },
    ]);
  });

  it('a verified release moves verified-<env> and adds its per-digest tag', () => {
    expect(planKeptTags('verified', 'dev', [{ repository: 'tailspin-server', digest: D1 }])).toEqual([
      { repository: 'tailspin-server', digest: D1, tags: ['verified-dev', verifiedDigestTag(D1)] },
    ]);
  });

  it('a manifest release: one entry per image; a repository’s moving tag only once; duplicates once', () => {
    const plans = planKeptTags('verified', 'dev', [
      { repository: 'tailspin-server', digest: D1 },
      { repository: 'tailspin-client', digest: D2 },
      { repository: 'tailspin-server', digest: D2 },
      { repository: 'tailspin-server', digest: D1 },
    ]);
    expect(plans).toEqual([
      { repository: 'tailspin-server', digest: D1, tags: ['verified-dev', verifiedDigestTag(D1)] },
      { repository: 'tailspin-client', digest: D2, tags: ['verified-dev', verifiedDigestTag(D2)] },
      { repository: 'tailspin-server', digest: D2, tags: [verifiedDigestTag(D2)] },
    ]);
    expect(planKeptTags('deployed', 'dev', [])).toEqual([]);
  });
});
