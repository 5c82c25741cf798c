import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { planTagPush } from '../../../src/services/intake/github-tag.js';
import { PushEvent } from '../../../src/services/intake/github-schema.js';
import { defaultCatalog } from '../../../src/services/domain/catalog.js';
import { sharedJson } from '../../helpers/fixtures.js';

type Raw = Record<string, unknown> & { repository: { full_name: string }; head_commit?: { id: string } | null };
const plan = (file: string, mutate?: (p: Raw) => void, branch = 'master') => {
  const raw = sharedJson<Raw>('github', file);
  mutate?.(raw);
  return planTagPush(PushEvent.parse(raw), defaultCatalog(raw.repository.full_name, branch, ['dev']));
};

describe('planTagPush on real tag payloads', () => {
  it('a lightweight tag vX.Y.Z on the deploy branch versions its commit (go-scm push_tag, renamed v0.0.1 → kept)', () => {
    expect(plan('go-scm__push_tag.json')).toEqual({
      kind: 'version',
      version: 'v0.0.1',
      commit: 'd2b75aa7797ec26b088fa2dd527e9d2c052fcedd',
    });
  });

  it('an annotated tag: after is the tag object, head_commit the commit — the commit is versioned', () => {
    const tagObject = 'f'.repeat(40);
    expect(plan('go-scm__push_tag.json', (p) => (p.after = tagObject))).toEqual({
      kind: 'version',
      version: 'v0.0.1',
      commit: 'd2b75aa7797ec26b088fa2dd527e9d2c052fcedd',
    });
  });

  it('a tag that is not a semantic version is ignored with the reason (argo-cd v1.0)', () => {
    expect(plan('argo-cd__github-tag-event.json')).toEqual({
      kind: 'ignored',
      reason: 'tag v1.0 is not a semantic version (vMAJOR.MINOR.PATCH); only those version images',
    });
  });

  it('a tag deletion is ignored with the reason (octokit push payload)', () => {
    expect(plan('octokit-webhooks__push_payload.json')).toEqual({
      kind: 'ignored',
      reason: 'tag simple-tag was deleted; images keep the versions they were given',
    });
  });

  it('a tag on the tip of another branch is ignored', () => {
    expect(plan('go-scm__push_tag.json', undefined, 'main')).toEqual({
      kind: 'ignored',
      reason: 'tag v0.0.1 points at refs/heads/master, not main',
    });
  });
});

describe('hostile tag names', () => {
  const withRef = (ref: string) => plan('go-scm__push_tag.json', (p) => (p.ref = ref));

  it.each([
    ['refs/tags/v1.2.3;rm -rf /', /not a semantic version/],
    ['refs/tags/v01.2.3', /not a semantic version/],
    ['refs/tags/1.2.3', /not a semantic version/],
    ['refs/tags/v1.2.3\n', /not a semantic version/],
    ['refs/tags/../../v1.2.3', /not a semantic version/],
    ['refs/tags/', /not a semantic version/],
  ])('%j is ignored', (ref, reason) => {
    const p = withRef(ref);
    expect(p.kind).toBe('ignored');
    expect(p.kind === 'ignored' && p.reason).toMatch(reason);
  });

  it('an enormous ref is ignored with a bounded, printable reason', () => {
    const p = withRef(`refs/tags/v1.2.3-${'x\u0000'.repeat(50_000)}`);
    expect(p.kind).toBe('ignored');
    const reason = p.kind === 'ignored' ? p.reason : '';
    expect(reason.length).toBeLessThan(200);
    expect(reason).toMatch(/\(100007 characters\)/);
    expect(reason.includes('\u0000')).toBe(false);
  });

  test.prop([fc.string({ maxLength: 300 })])('never throws; versions only vX.Y.Z names', (name) => {
    const p = withRef(`refs/tags/${name}`);
    if (p.kind === 'version') expect(p.version).toMatch(/^v\d+\.\d+\.\d+/);
  });
});
