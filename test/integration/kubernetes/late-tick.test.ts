/**
 * One writer per Deployment when a tick runs late. Saves are compare-and-swap, so a tick that read
 * its release and then stalled loses its save — but its change to the cluster went out first. Here
 * the steps run against the Kubernetes fake through the real adapter: release A records its intent
 * and deploys, then B takes over and deploys; a tick of A that read A before all that (a duplicate
 * queue message, a sweeper re-drive on a loaded host) runs only now. Without the writer fence it
 * put A's image back over B's; a late rollback of A did the same with the last verified image.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Release } from '../../../src/services/domain/release.js';
import type { Cluster } from '../../../src/services/ports.js';
import { deploying } from '../../../src/services/pipeline/steps/deploying.js';
import { rollingBack } from '../../../src/services/pipeline/steps/rolling-back.js';
import { fakeTarget } from '../../contract/fake-target.js';
import { repoRoot } from '../../helpers/fixtures.js';
import { aRelease, ctx, digest, pinned, REGISTRY, world } from '../../unit/pipeline/world.js';

let t: Awaited<ReturnType<typeof fakeTarget>>;
const W = { namespace: 'tail-spin', deployment: 'tailspin-server', container: 'tailspin-server' };

beforeAll(async () => {
  t = await fakeTarget();
  await t.fake.seedFromManifests(join(repoRoot, 'k8s'));
});
afterAll(() => t.cleanup());

/** The pipeline's world with the real adapter as its cluster (no registry: kept tags are skipped). */
const live = () => {
  const c: Cluster = t.cluster;
  const cluster: Partial<Cluster> = {
    observe: (w) => c.observe(w),
    setImage: (w, image, notes, fence) => c.setImage(w, image, notes, fence),
    undo: (w, notes, fence) => c.undo(w, notes, fence),
    events: (w, limit) => c.events(w, limit),
  };
  return world({ cluster });
};

const release = (id: string, n: number, over: Partial<Release> = {}): Release =>
  aRelease({
    id,
    phase: 'deploying',
    image: { registry: REGISTRY, repository: 'tailspin-server', digest: digest(n), tag: `v${n}` },
    ...over,
  });

/** One tick of the deploying step, applied as reconcile would apply a `continue`. */
async function step(r: Release): Promise<Release> {
  const d = await deploying(ctx(r, live()));
  if (d.kind !== 'continue') throw new Error(`expected continue, got ${JSON.stringify(d)}`);
  return { ...r, progress: { ...r.progress, ...d.progress } };
}

/** Until the Deployment's newest revision runs `image` everywhere (an undo goes to the revision before the newest). */
async function waitRolledOut(image: string): Promise<void> {
  for (const until = Date.now() + 8_000; Date.now() < until; await new Promise((r) => setTimeout(r, 25))) {
    const o = await t.cluster.observe(W);
    if (o.ok && o.value.image === image && o.value.availableReplicas === o.value.replicas && o.value.updatedReplicas === o.value.replicas)
      return;
  }
  throw new Error(`${image} did not roll out within 8 s`);
}

const running = async () => {
  const o = await t.cluster.observe(W);
  if (!o.ok) throw new Error(o.error.message);
  return { image: o.value.image, writer: o.value.writer };
};

describe('a late tick of an ended release', () => {
  it('neither deploys nor rolls back over the release that came after it', async () => {
    // A records its intent; a tick reads A here and stalls.
    const aIntended = await step(release('r-late-a', 1));
    const stale = aIntended;
    // The live ticks: A deploys (and, say, ends); B records its intent and deploys.
    await step(aIntended);
    expect(await running()).toEqual({ image: pinned(1), writer: 'r-late-a/deploy' });
    const bIntended = await step(release('r-late-b', 2));
    expect(bIntended.progress.deployIntent?.previousWriter).toBe('r-late-a/deploy');
    await step(bIntended);
    expect(await running()).toEqual({ image: pinned(2), writer: 'r-late-b/deploy' });

    // The stalled tick of A runs now: nothing was changed, and it says why.
    const late = await deploying(ctx(stale, live()));
    expect(late).toMatchObject({ kind: 'advance', to: 'blocked', reason: expect.stringMatching(/changed by r-late-b\/deploy/) });
    expect(await running()).toEqual({ image: pinned(2), writer: 'r-late-b/deploy' });

    // A late tick of A's rollback (to the last verified image) is refused the same way.
    const aRollingBack: Release = {
      ...stale,
      phase: 'rolling_back',
      progress: {
        ...stale.progress,
        imageSetAt: stale.updatedAt,
        rollbackIntent: { mode: 'image', image: pinned(0), toReleaseId: 'r-good', startedAt: stale.updatedAt },
      },
    };
    const lateRollback = await rollingBack(ctx(aRollingBack, live()));
    expect(lateRollback).toMatchObject({ kind: 'advance', to: 'failed', reason: expect.stringMatching(/changed by r-late-b\/deploy/) });
    expect(await running()).toEqual({ image: pinned(2), writer: 'r-late-b/deploy' });
  });

  it('an undo repeated after a crash (before its save) does not undo the undo', async () => {
    // C deploys over what runs, then rolls back by undo (no verified release to go back to).
    const before = (await running()).image;
    const cIntended = await step(release('r-undo-c', 3));
    const cSet = await step(cIntended);
    expect(await running()).toEqual({ image: pinned(3), writer: 'r-undo-c/deploy' });
    const undoing: Release = {
      ...cSet,
      phase: 'rolling_back',
      progress: { ...cSet.progress, rollbackIntent: { mode: 'undo', startedAt: cSet.updatedAt } },
    };
    await waitRolledOut(pinned(3));
    expect(await rollingBack(ctx(undoing, live()))).toMatchObject({ kind: 'continue' });
    await waitRolledOut(before);
    // The worker died before saving rollbackSetAt: the next tick starts the rollback again.
    expect(await rollingBack(ctx(undoing, live()))).toMatchObject({ kind: 'continue' });
    expect(await running()).toEqual({ image: before, writer: 'r-undo-c/rollback' });
  });
});
