/**
 * The tags that keep running and verified digests (domain/kept-tags.ts), moved by the steps that set an
 * image on the cluster and by a release's success; a registry that refuses is recorded, never a hold-up.
 */
import { describe, expect, it } from 'vitest';
import { deploying } from '../../../../src/services/pipeline/steps/deploying.js';
import { rollingBack } from '../../../../src/services/pipeline/steps/rolling-back.js';
import { verifying } from '../../../../src/services/pipeline/steps/verifying.js';
import { manifestDeploy } from '../../../../src/services/pipeline/steps/manifest.js';
import { verifiedDigestTag } from '../../../../src/services/domain/kept-tags.js';
import type { ImageTags } from '../../../../src/services/ports.js';
import type { RollbackIntent } from '../../../../src/services/domain/release.js';
import { aRelease, at, ctx, digest, errR, fail, iso, okR, pinned, world, type World, type WorldScript } from '../world.js';

const ID = 'r-test-000001';

function withTags(s: WorldScript, answer?: ImageTags['tag']) {
  const w: World = world(s);
  const tagged: { repository: string; digest: string; tags: string[] }[] = [];
  w.d.tags = {
    tag: (repository, d, tags) => (tagged.push({ repository, digest: d, tags }), answer ? answer(repository, d, tags) : okR(undefined)),
    revision: () => okR(undefined),
  };
  return { w, tagged };
}

const intent = { image: pinned(1), previousImage: pinned(0), previousRevision: '2' };
const intended = aRelease({ phase: 'deploying', progress: { deployIntent: intent } });

describe('deployed-<env> follows what the deployer sets on the cluster', () => {
  it('a deploy moves it to the release’s digest once the image is set, and says so', async () => {
    const { w, tagged } = withTags({ cluster: { setImage: () => okR({ changed: true }) } });
    const d = await deploying(ctx(intended, w, at(3)));
    expect(tagged).toEqual([{ repository: 'tailspin-server', digest: digest(1), tags: ['deployed-dev'] }]);
    expect(d).toMatchObject({
      kind: 'continue',
      progress: { imageSetAt: iso(3) },
      outcome: {
        keptTags: [{ at: iso(3), on: 'deployed', repository: 'tailspin-server', digest: digest(1), tags: ['deployed-dev'], state: 'done' }],
      },
    });
  });

  it('a registry that refuses is recorded as failed; the rollout goes on', async () => {
    const { w } = withTags({ cluster: { setImage: () => okR({ changed: true }) } }, () => errR(fail('auth', 'importImage: 403 forbidden')));
    const d = await deploying(ctx(intended, w, at(3)));
    expect(d).toMatchObject({
      kind: 'continue',
      progress: { imageSetAt: iso(3) },
      outcome: { keptTags: [{ state: 'failed', error: 'importImage: 403 forbidden', tags: ['deployed-dev'] }] },
    });
  });

  it('an image from another registry is not ours to tag; without a registry port nothing is recorded', async () => {
    const foreign = aRelease({
      phase: 'deploying',
      progress: { deployIntent: { ...intent, image: `docker.io/library/nginx@${digest(1)}` } },
    });
    const { w, tagged } = withTags({ cluster: { setImage: () => okR({ changed: true }) } });
    expect((await deploying(ctx(foreign, w, at(3)))).outcome).toBeUndefined();
    expect(tagged).toEqual([]);
    const bare = world({ cluster: { setImage: () => okR({ changed: true }) } });
    expect((await deploying(ctx(intended, bare, at(3)))).outcome).toBeUndefined();
  });

  it('a manifest apply moves it to each pinned image of ours', async () => {
    const pins = { 'tailspin-server': pinned(1), 'tailspin-client': pinned(2, 'tailspin-client'), other: `ghcr.io/x/y@${digest(3)}` };
    const r = aRelease({
      kind: 'manifest',
      phase: 'deploying',
      image: undefined,
      manifestCommit: 'a'.repeat(40),
      progress: { manifest: { objects: [], pins, images: [] }, pinnedAt: iso(0) },
    });
    const { w, tagged } = withTags({ cluster: { apply: () => okR({ applied: [] }) } });
    const d = await manifestDeploy(ctx(r, w, at(1)));
    expect(tagged).toEqual([
      { repository: 'tailspin-server', digest: digest(1), tags: ['deployed-dev'] },
      { repository: 'tailspin-client', digest: digest(2), tags: ['deployed-dev'] },
    ]);
    expect(d).toMatchObject({
      progress: { appliedAt: iso(1) },
      outcome: { applied: [], keptTags: [{ state: 'done' }, { state: 'done' }] },
    });
  });

  it('a rollback moves it back to the last verified digest', async () => {
    const toGood: RollbackIntent = { mode: 'image', image: pinned(0), toReleaseId: 'r-good', startedAt: iso(0) };
    const r = aRelease({
      phase: 'rolling_back',
      outcome: { failure: { reason: 'breach', at: iso(0) } },
      progress: { rollbackIntent: toGood },
    });
    const { w, tagged } = withTags({ cluster: { setImage: () => okR({ changed: true }) } });
    const d = await rollingBack(ctx(r, w, at(2)));
    expect(tagged).toEqual([{ repository: 'tailspin-server', digest: digest(0), tags: ['deployed-dev'] }]);
    expect(d).toMatchObject({
      progress: { rollbackSetAt: iso(2) },
      outcome: { keptTags: [{ on: 'deployed', digest: digest(0), state: 'done' }] },
    });
  });

  it('an undo tags the image it restored', async () => {
    const r = aRelease({ phase: 'rolling_back', progress: { rollbackIntent: { mode: 'undo', startedAt: iso(0) } } });
    const { w, tagged } = withTags({ cluster: { undo: () => okR({ changed: true, image: pinned(0) }) } });
    await rollingBack(ctx(r, w, at(2)));
    expect(tagged).toEqual([{ repository: 'tailspin-server', digest: digest(0), tags: ['deployed-dev'] }]);
  });
});

describe('verified-<env> and the per-digest verified tag follow a release’s success', () => {
  const observing = aRelease({
    phase: 'verifying',
    progress: { imageSetAt: iso(-20), smokePassedAt: iso(0), verifyStartedAt: iso(0), verifyUntil: iso(300) },
    outcome: {
      keptTags: [{ at: iso(-20), on: 'deployed', repository: 'tailspin-server', digest: digest(1), tags: ['deployed-dev'], state: 'done' }],
    },
  });
  const healthy = { requests: 1500, failures: 3, slow: 10, p95Ms: 300, retained: { requests: 1500, failures: 3, slow: 10 } };
  const script: WorldScript = {
    heads: { 'tailspin-server/dev': { active: { releaseId: ID, target: digest(1) } } },
    telemetry: { requests: () => okR(healthy) },
  };

  it('a verified release gets both, after the earlier record', async () => {
    const { w, tagged } = withTags(script);
    const d = await verifying(ctx(observing, w, at(300)));
    expect(d).toMatchObject({ kind: 'advance', to: 'succeeded' });
    expect(tagged).toEqual([{ repository: 'tailspin-server', digest: digest(1), tags: ['verified-dev', verifiedDigestTag(digest(1))] }]);
    expect(d.outcome?.keptTags?.map((k) => [k.on, k.state])).toEqual([
      ['deployed', 'done'],
      ['verified', 'done'],
    ]);
  });

  it('a registry that fails does not stop the success', async () => {
    const { w } = withTags(script, () => errR(fail('transient', 'ARM 503')));
    const d = await verifying(ctx(observing, w, at(300)));
    expect(d).toMatchObject({
      kind: 'advance',
      to: 'succeeded',
      outcome: { keptTags: [{}, { on: 'verified', state: 'failed', error: 'ARM 503' }] },
    });
  });

  it('a manifest release tags the images it pinned', async () => {
    const manifest = aRelease({
      ...observing,
      kind: 'manifest',
      image: undefined,
      manifestCommit: 'a'.repeat(40),
      outcome: {
        manifest: {
          commit: 'a'.repeat(40),
          objects: [],
          pins: { 'tailspin-server': pinned(1), 'tailspin-client': pinned(2, 'tailspin-client') },
        },
      },
    });
    const { w, tagged } = withTags(script);
    await verifying(ctx(manifest, w, at(300)));
    expect(tagged.map((t) => [t.repository, t.digest])).toEqual([
      ['tailspin-server', digest(1)],
      ['tailspin-client', digest(2)],
    ]);
  });
});
