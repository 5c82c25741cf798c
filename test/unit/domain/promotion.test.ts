import { describe, expect, it } from 'vitest';
import { emptyHead } from '../../../src/services/domain/head.js';
import { keepTag, planTags, withLatest } from '../../../src/services/domain/promotion.js';
import { aRelease, COMMIT, digest, iso } from '../pipeline/world.js';

const head = emptyHead('tailspin-server', 'dev');
const built = (over = {}) =>
  aRelease({ image: { registry: 'r.azurecr.io', repository: 'tailspin-server', digest: digest(1), tag: COMMIT }, ...over });

describe('planTags: which tags a passed digest gets', () => {
  it('a build’s image (tagged with its commit) gets latest only', () => {
    expect(planTags(built(), head)).toEqual({ tags: ['latest'], withheld: [] });
  });

  it('a release with a version gets it too', () => {
    expect(planTags(built({ version: 'v1.2.3' }), head).tags).toEqual(['latest', 'v1.2.3']);
  });

  it('an image pushed as latest only, with a known commit, keeps the commit tag (a rollback target)', () => {
    const r = built({ image: { registry: 'r', repository: 'tailspin-server', digest: digest(1), tag: 'latest' } });
    expect(planTags(r, head).tags).toEqual([COMMIT, 'latest']);
  });

  it('an image pushed without an immutable tag and without a commit keeps a digest tag', () => {
    const r = built({ commit: undefined, image: { registry: 'r', repository: 'tailspin-server', digest: digest(1), tag: 'latest' } });
    expect(planTags(r, head).tags).toEqual([keepTag(digest(1)), 'latest']);
    expect(keepTag(digest(1))).toMatch(/^digest-[0-9a-f]{16}$/);
  });

  it('latest never moves to an older release than the one it points at', () => {
    const newer = withLatest(
      head,
      built({
        id: 'r-newer-000002',
        createdAt: iso(60),
        image: { registry: 'r', repository: 'tailspin-server', digest: digest(2), tag: 'b'.repeat(40) },
      }),
    );
    const plan = planTags(built({ createdAt: iso(0) }), newer);
    expect(plan.tags).toEqual([]);
    expect(plan.withheld[0]).toMatchObject({ tag: 'latest', reason: expect.stringMatching(/never moves backwards/) as unknown });
  });

  it('latest never goes to a commit whose build a newer build superseded', () => {
    const h = { ...head, latestBuild: { releaseId: 'r-b', target: 'b'.repeat(40), commit: 'b'.repeat(40) }, supersededBuilds: [COMMIT] };
    expect(planTags(built(), h).withheld[0]?.reason).toMatch(/newer build \(bbbbbbb\)/);
  });

  it('a manual deploy or rollback does not move latest', () => {
    expect(planTags(built({ source: { door: 'manual', eventId: 'k' } }), head).withheld[0]?.tag).toBe('latest');
    expect(planTags(built({ kind: 'rollback' }), head).tags).toEqual([]);
  });

  it('the same digest again is not "backwards"', () => {
    const h = withLatest(head, built({ id: 'r-other-000003', createdAt: iso(60) }));
    expect(planTags(built({ createdAt: iso(0) }), h).tags).toEqual(['latest']);
  });

  it('a version that is not semver is never used as a tag', () => {
    expect(planTags(built({ version: 'v1.2' }), head).tags).toEqual(['latest']);
  });
});

describe('version builds do not deploy', () => {
  it('an image of a commit built for a version is ignored at admission; a later push of the commit deploys it', async () => {
    const { admit, withVersionBuild } = await import('../../../src/services/domain/head.js');
    const { planAdmission } = await import('../../../src/services/domain/admission.js');
    const h = withVersionBuild(head, COMMIT);
    const req = { target: digest(1), allowQuarantined: false, semanticDedup: true, tag: COMMIT };
    expect(admit(h, req)).toMatchObject({ kind: 'ignored', reason: expect.stringMatching(/made for a version tag/) as unknown });
    const plan = planAdmission(
      h,
      {
        app: 'tailspin-server',
        environment: 'dev',
        kind: 'build',
        target: COMMIT,
        commit: COMMIT,
        source: { door: 'github', eventId: 'd' },
        correlationId: 'd',
        semanticDedup: true,
        allowQuarantined: false,
      },
      'r-x-000001',
      new Date(),
    );
    expect(plan.kind === 'admit' && plan.head.versionBuilds).toEqual([]);
  });
});
