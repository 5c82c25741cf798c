import { describe, expect, it } from 'vitest';
import { manifestRollback } from '../../../../src/services/pipeline/steps/manifest-rollback.js';
import type { Cluster, ReleaseStore, StoredHead } from '../../../../src/services/ports.js';
import type { ManifestPlan, Release, RollbackIntent } from '../../../../src/services/domain/release.js';
import { COMMIT, REGISTRY, at, ctx, digest, errR, fail, iso, memoryHeads, okR, pinned, rolledOut, world } from '../world.js';
import { ID, deployment, lastGood, manifest, service } from './manifest-fixture.js';

const GOOD = 'good00000000000000000000000000000000000ff';
const holder = { releaseId: ID, target: COMMIT, kind: 'manifest' as const };
const plan: ManifestPlan = { objects: [deployment({ app: pinned(1) }), service], pins: { 'tailspin-server': pinned(1) }, images: [] };
/** The last verified manifest release, with the objects it applied on record. */
const good = manifest({
  id: 'r-good-manifest',
  manifestCommit: GOOD,
  phase: 'succeeded',
  progress: { manifest: { objects: [deployment({ app: pinned(0) }), service], pins: { 'tailspin-server': pinned(0) }, images: [] } },
});
const clientDeployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'tailspin-client', namespace: 'tail-spin' },
  spec: { template: { spec: { containers: [{ name: 'tailspin-client', image: `${REGISTRY}/tailspin-client@${digest(6)}` }] } } },
};
const k8sHead = { active: { releaseId: ID, target: COMMIT }, lastGood: { releaseId: good.id, target: GOOD, manifestCommit: GOOD } };
const failed = (progress: Release['progress'] = {}) =>
  manifest({
    phase: 'rolling_back',
    outcome: { failure: { reason: 'smoke failed', at: iso(0) } },
    progress: { manifest: plan, ...progress },
  });
const reapply: RollbackIntent = { mode: 'reapply', commit: GOOD, startedAt: iso(0) };
const undo: RollbackIntent = { mode: 'undo', startedAt: iso(0) };

function w(cluster: Partial<Cluster> = {}, store: Partial<ReleaseStore> = {}, heads: Record<string, Partial<StoredHead>> = {}) {
  const mem = memoryHeads({ 'k8s/dev': k8sHead, 'tailspin-server/dev': { active: holder, lastGood }, ...heads });
  return world({ store: { ...mem.store, get: (id) => Promise.resolve(id === good.id ? good : undefined), ...store }, cluster });
}
const quarantinedAt = (s: number) => ({ quarantined: [{ digest: COMMIT, releaseId: ID, at: iso(s) }] });

describe('manifest releases: rolling back', () => {
  it('goes back to the last verified manifest commit, or undoes each Deployment when there is none', async () => {
    expect(await manifestRollback(ctx(failed(), w()))).toEqual({
      kind: 'continue',
      progress: { rollbackIntent: reapply },
      outcome: { rollback: { ...reapply, reason: 'smoke failed' } },
    });
    expect(await manifestRollback(ctx(failed(), world()))).toMatchObject({ progress: { rollbackIntent: undo } });
  });

  it('re-applies what the verified release applied, from its record (no GitHub read), pinned to the verified digest', async () => {
    const ww = w({ apply: () => okR({ applied: [] }) });
    expect(await manifestRollback(ctx(failed({ rollbackIntent: reapply }), ww, at(2)))).toEqual({
      kind: 'continue',
      afterSeconds: 5,
      progress: { rollbackSetAt: iso(2), rollbackIntent: { ...reapply, pins: { 'tailspin-server': pinned(0) } } },
    });
    expect(ww.calls.find((c) => c.method === 'apply')?.args).toEqual([[deployment({ app: pinned(0) }), service]]);
    expect(ww.callsTo('source')).toEqual([]);
  });

  it('undoes each Deployment instead when the verified objects are not on record', async () => {
    const ww = w({}, { get: () => Promise.resolve(undefined) });
    expect(await manifestRollback(ctx(failed({ rollbackIntent: reapply }), ww))).toEqual({
      kind: 'continue',
      progress: { rollbackIntent: undo },
      outcome: {
        rollback: { ...undo, reason: `smoke failed (the objects applied at ${GOOD} are not on record; undoing each Deployment instead)` },
      },
    });
  });

  it('an apply that fails transiently is tried until the rollback deadline; a final failure fails loudly and quarantines', async () => {
    const flaky = w({ apply: () => errR(fail('transient', 'etcd leader changed')) });
    expect(await manifestRollback(ctx(failed({ rollbackIntent: reapply }), flaky, at(2)))).toMatchObject({
      kind: 'wait',
      on: 'kubernetes',
      for: 'kubernetes: re-applying good000 (etcd leader changed)',
      deadline: at(600),
    });
    expect(await manifestRollback(ctx(failed({ rollbackIntent: reapply }), flaky, at(600)))).toMatchObject({
      to: 'failed',
      reason: `ROLLBACK FAILED: re-applying ${GOOD}: etcd leader changed (transient: still failing after 600 s)`,
    });
    const refused = w({ apply: () => errR(fail('invalid', 'field is immutable')) });
    expect(await manifestRollback(ctx(failed({ rollbackIntent: reapply }), refused, at(2)))).toMatchObject({
      kind: 'advance',
      to: 'failed',
      reason: `ROLLBACK FAILED: re-applying ${GOOD}: field is immutable (invalid: final, not retried)`,
      head: { app: 'k8s', ...quarantinedAt(2) },
    });
  });

  it('undoes one Deployment per tick, recording each (undo twice would flip back), skipping one without a previous revision', async () => {
    const two = failed({
      rollbackIntent: undo,
      manifest: { ...plan, pins: { 'tailspin-server': pinned(1), 'tailspin-client': `${REGISTRY}/tailspin-client@${digest(6)}` } },
    });
    const ok = world({ cluster: { undo: () => okR({ image: pinned(5), changed: true }) } });
    expect(await manifestRollback(ctx(two, ok))).toEqual({
      kind: 'continue',
      progress: { rollbackIntent: { ...undo, undone: ['tailspin-client'], pins: { 'tailspin-client': pinned(5) } } },
    });
    const once = { ...undo, undone: ['tailspin-client'], pins: { 'tailspin-client': pinned(5) } };
    const none = world({ cluster: { undo: () => errR(fail('not-found')) } });
    expect(await manifestRollback(ctx(failed({ ...two.progress, rollbackIntent: once }), none))).toEqual({
      kind: 'continue',
      afterSeconds: 5,
      progress: { rollbackSetAt: iso(0), rollbackIntent: { ...once, undone: ['tailspin-client', 'tailspin-server'] } },
    });
    const flaky = world({ cluster: { undo: () => errR(fail('transient', 'EOF')) } });
    expect(await manifestRollback(ctx(failed({ rollbackIntent: undo }), flaky))).toMatchObject({
      kind: 'wait',
      for: 'kubernetes: undoing tailspin-server (EOF)',
    });
    const refused = world({ cluster: { undo: () => errR(fail('auth', 'forbidden')) } });
    expect(await manifestRollback(ctx(failed({ rollbackIntent: undo }), refused))).toMatchObject({
      to: 'failed',
      reason: 'ROLLBACK FAILED: undo tailspin-server: forbidden (auth: final, not retried)',
    });
  });

  it('ends rolled_back when the rollback rolled out, failed when it did not', async () => {
    const set = failed({ rollbackIntent: { ...reapply, pins: { 'tailspin-server': pinned(0) } }, rollbackSetAt: iso(1) });
    expect(await manifestRollback(ctx(set, w({ observe: () => okR(rolledOut(pinned(0))) }), at(20)))).toMatchObject({
      kind: 'advance',
      to: 'rolled_back',
      reason: `rolled back to the manifests at ${GOOD} because smoke failed`,
      head: { app: 'k8s', ...quarantinedAt(20) },
    });
    const slow = w({ observe: () => okR(rolledOut(pinned(0), { updatedReplicas: 1 })) });
    expect(await manifestRollback(ctx(set, slow, at(20)))).toEqual({
      kind: 'wait',
      on: 'rollback',
      for: 'rollback rollout: tailspin-server: 1 of 2 updated replicas',
      deadline: at(600),
      afterSeconds: 5,
    });
    expect(await manifestRollback(ctx(set, slow, at(601)))).toMatchObject({
      to: 'failed',
      reason: `ROLLBACK FAILED: the manifests at ${GOOD} did not roll out: deadline`,
    });
    const down = w({ observe: () => errR(fail('auth', 'expired token')) });
    expect(await manifestRollback(ctx(set, down, at(20)))).toMatchObject({ kind: 'wait', for: 'rollback rollout: kubernetes unavailable' });
  });

  it('re-applying waits for an app the verified manifests touch that another release holds; past the slot deadline it fails loudly', async () => {
    const busy = { 'tailspin-client/dev': { active: { releaseId: 'r-img', target: digest(6) } } };
    const withClient = manifest({
      ...good,
      progress: { manifest: { ...good.progress.manifest!, objects: [...good.progress.manifest!.objects, clientDeployment] } },
    });
    const store = {
      get: (id: string) => Promise.resolve(id === good.id ? withClient : manifest({ id: 'r-img', phase: 'verifying' })),
    };
    const ww = w({}, store, busy);
    expect(await manifestRollback(ctx(failed({ rollbackIntent: reapply }), ww, at(2)))).toMatchObject({
      kind: 'wait',
      on: 'slot',
      for: 'deploy slot: tailspin-client: waiting for release r-img to finish',
    });
    const waiting = failed({ rollbackIntent: reapply });
    waiting.wait = { on: 'slot', for: '…', since: iso(2), deadline: iso(1802) };
    expect(await manifestRollback(ctx(waiting, ww, at(1803)))).toMatchObject({
      to: 'failed',
      reason: 'ROLLBACK FAILED: gave up after 1800 s tailspin-client: waiting for release r-img to finish',
    });
  });

  it('re-applying fails loudly when an app has no digest to pin; with no Deployment pinned, undo has nothing to do', async () => {
    const bare = manifest({ ...good, progress: { manifest: { ...good.progress.manifest!, pins: {} } } });
    const ww = w({}, { get: () => Promise.resolve(bare) }, { 'tailspin-server/dev': { active: holder } });
    expect(await manifestRollback(ctx(failed({ rollbackIntent: reapply }), ww))).toMatchObject({
      to: 'failed',
      reason: `ROLLBACK FAILED: re-applying ${GOOD}: no verified digest for tailspin-server, and its declared image was not resolved`,
    });
    expect(await manifestRollback(ctx(failed({ rollbackIntent: undo, manifest: { ...plan, pins: {} } }), world()))).toEqual({
      kind: 'continue',
      afterSeconds: 5,
      progress: { rollbackIntent: undo, rollbackSetAt: iso(0) },
    });
  });
});
