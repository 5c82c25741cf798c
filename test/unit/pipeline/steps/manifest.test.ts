import { describe, expect, it } from 'vitest';
import { manifestDeploy, manifestRollback } from '../../../../src/services/pipeline/steps/manifest.js';
import type { Cluster } from '../../../../src/services/ports.js';
import type { Release, RollbackIntent } from '../../../../src/services/domain/release.js';
import { COMMIT, REGISTRY, aRelease, at, ctx, digest, errR, fail, iso, okR, pinned, rolledOut, world, type WorldScript } from '../world.js';

const ID = 'r-test-000001';
const GOOD = 'good00000000000000000000000000000000000ff';
// Restricted-compliant (issue 14: manifests are held to the Pod Security Standards before apply).
const yaml = `apiVersion: apps/v1
kind: Deployment
metadata: { name: tailspin-server }
spec:
  template:
    spec:
      securityContext: { runAsNonRoot: true, seccompProfile: { type: RuntimeDefault } }
      containers:
        - name: tailspin-server
          image: ${REGISTRY}/tailspin-server:latest
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: [ALL] } }
---
apiVersion: v1
kind: Service
metadata: { name: tailspin-server }
`;
const tree = [{ path: 'k8s/apps/server.yaml', content: yaml }];
const lastGood = {
  releaseId: 'r-good',
  target: digest(0),
  image: { registry: REGISTRY, repository: 'tailspin-server', digest: digest(0) },
};
const k8sHead = { app: 'k8s', environment: 'dev', quarantined: [] };
const manifest = (over: Partial<Release> = {}) =>
  aRelease({ app: 'k8s', kind: 'manifest', image: undefined, manifestCommit: COMMIT, phase: 'deploying', ...over });
const plan = {
  objects: [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'tailspin-server', namespace: 'tail-spin' },
      spec: {
        template: {
          spec: {
            securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'tailspin-server',
                image: pinned(0),
                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
              },
            ],
          },
        },
      },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'tailspin-server', namespace: 'tail-spin' } },
  ],
  pins: { 'tailspin-server': pinned(0) },
};
const w = (cluster: Partial<Cluster> = {}, s: WorldScript = {}) =>
  world({ heads: { 'tailspin-server/dev': { lastGood } }, source: { readTree: () => okR(tree) }, cluster, ...s });

describe('manifest releases: deploying', () => {
  it('reads the manifests at the commit and pins each app to its last verified digest', async () => {
    const world_ = w();
    expect(await manifestDeploy(ctx(manifest(), world_))).toEqual({
      kind: 'continue',
      progress: { manifest: plan },
      outcome: { manifest: { commit: COMMIT, objects: ['Deployment/tailspin-server', 'Service/tailspin-server'], pins: plan.pins } },
    });
    expect(world_.calls.find((c) => c.method === 'readTree')?.args).toEqual([COMMIT, 'k8s/apps/']);
  });

  it('without a verified digest keeps what runs, else what the manifest declares', async () => {
    const running = world({ source: { readTree: () => okR(tree) }, cluster: { observe: () => okR(rolledOut(pinned(4))) } });
    expect(await manifestDeploy(ctx(manifest(), running))).toMatchObject({
      progress: { manifest: { pins: { 'tailspin-server': pinned(4) } } },
    });
    const none = world({ source: { readTree: () => okR(tree) }, cluster: { observe: () => errR(fail('not-found')) } });
    expect(await manifestDeploy(ctx(manifest(), none))).toMatchObject({
      progress: { manifest: { pins: { 'tailspin-server': `${REGISTRY}/tailspin-server:latest` } } },
    });
  });

  it('blocks manifests that cannot be read or do not validate', async () => {
    const unreadable = world({ source: { readTree: () => errR(fail('not-found', 'no such commit')) } });
    expect(await manifestDeploy(ctx(manifest(), unreadable))).toEqual({
      kind: 'advance',
      to: 'blocked',
      reason: `cannot read k8s/apps/ at ${COMMIT}: no such commit`,
      head: k8sHead,
    });
    const bad = world({
      source: { readTree: () => okR([{ path: 'k8s/apps/x.yaml', content: 'kind: Namespace\napiVersion: v1\nmetadata: {name: x}' }]) },
    });
    expect(await manifestDeploy(ctx(manifest(), bad))).toMatchObject({
      to: 'blocked',
      reason:
        'invalid manifests: k8s/apps/x.yaml#1 Namespace/x: Namespace is cluster-scoped; the deployer only applies objects in namespace tail-spin',
    });
  });

  it('applies the pinned objects, retrying a transient failure until the deadline, then rolls back', async () => {
    const prepared = manifest({ progress: { manifest: plan }, updatedAt: iso(0) });
    const applied = w({ apply: () => okR({ applied: ['Deployment/tailspin-server', 'Service/tailspin-server'] }) });
    expect(await manifestDeploy(ctx(prepared, applied, at(1)))).toEqual({
      kind: 'continue',
      afterSeconds: 5,
      progress: { appliedAt: iso(1), imageSetAt: iso(1) },
      outcome: { applied: ['Deployment/tailspin-server', 'Service/tailspin-server'] },
    });
    expect(applied.calls.find((c) => c.method === 'apply')?.args).toEqual([plan.objects]);
    const flaky = w({ apply: () => errR(fail('transient', 'etcd leader changed')) });
    expect(await manifestDeploy(ctx(prepared, flaky, at(10)))).toEqual({
      kind: 'wait',
      on: 'kubernetes',
      for: 'kubernetes: applying manifests (etcd leader changed)',
      deadline: at(600),
      afterSeconds: 5,
    });
    expect(await manifestDeploy(ctx(prepared, flaky, at(600)))).toEqual({
      kind: 'advance',
      to: 'rolling_back',
      reason: 'server-side apply failed: etcd leader changed',
      outcome: { failure: { reason: 'server-side apply failed: etcd leader changed', at: iso(600) } },
    });
  });

  const applied = manifest({ progress: { manifest: plan, appliedAt: iso(0), imageSetAt: iso(0) } });

  it('watches every pinned Deployment: complete goes to verifying, progress waits, failure rolls back', async () => {
    expect(await manifestDeploy(ctx(applied, w({ observe: () => okR(rolledOut(pinned(0))) }), at(9)))).toEqual({
      kind: 'advance',
      to: 'verifying',
      reason: 'manifests at c0ffee0 applied and rolled out',
      progress: { rolloutCompleteAt: iso(9) },
    });
    const slow = w({ observe: () => okR(rolledOut(pinned(0), { updatedReplicas: 1 })) });
    expect(await manifestDeploy(ctx(applied, slow, at(9)))).toEqual({
      kind: 'wait',
      on: 'rollout',
      for: 'rollout: tailspin-server: 1 of 2 updated replicas',
      deadline: at(600),
      afterSeconds: 5,
    });
    expect(await manifestDeploy(ctx(applied, slow, at(601)))).toMatchObject({
      to: 'rolling_back',
      reason: 'rollout did not complete within 600 s',
    });
    const changed = w({ observe: () => okR(rolledOut(pinned(7))) });
    expect(await manifestDeploy(ctx(applied, changed, at(9)))).toMatchObject({
      to: 'rolling_back',
      reason: expect.stringMatching(/^rollout failed: tailspin-server: the Deployment's image is/),
    });
  });

  it('retries watching while the cluster is unreachable, then rolls back', async () => {
    const down = w({ observe: () => errR(fail('transient', 'EOF')) });
    expect(await manifestDeploy(ctx(applied, down, at(9)))).toEqual({
      kind: 'wait',
      on: 'rollout',
      for: 'rollout: kubernetes unavailable',
      deadline: at(600),
      afterSeconds: 5,
    });
    expect(await manifestDeploy(ctx(applied, down, at(600)))).toMatchObject({
      to: 'rolling_back',
      reason: 'cannot watch the rollout: EOF',
    });
  });
});

describe('manifest releases: rolling back', () => {
  const failed = (progress: Release['progress'] = {}) =>
    manifest({
      phase: 'rolling_back',
      outcome: { failure: { reason: 'smoke failed', at: iso(0) } },
      progress: { manifest: plan, ...progress },
    });
  const reapply: RollbackIntent = { mode: 'reapply', commit: GOOD, startedAt: iso(0) };
  const quarantined = (s: number) => ({ ...k8sHead, quarantined: [{ digest: COMMIT, releaseId: ID, at: iso(s) }] });

  it('goes back to the last verified manifest commit, or undoes each Deployment', async () => {
    const good = world({ heads: { 'k8s/dev': { lastGood: { releaseId: 'r-good', target: GOOD, manifestCommit: GOOD } } } });
    expect(await manifestRollback(ctx(failed(), good))).toEqual({
      kind: 'continue',
      progress: { rollbackIntent: reapply },
      outcome: { rollback: { ...reapply, reason: 'smoke failed' } },
    });
    expect(await manifestRollback(ctx(failed(), world()))).toMatchObject({
      progress: { rollbackIntent: { mode: 'undo', startedAt: iso(0) } },
    });
  });

  it('re-applies the verified commit, pinned again', async () => {
    const ww = w({ apply: () => okR({ applied: [] }) });
    expect(await manifestRollback(ctx(failed({ rollbackIntent: reapply }), ww, at(2)))).toEqual({
      kind: 'continue',
      afterSeconds: 5,
      progress: { rollbackSetAt: iso(2), rollbackIntent: { ...reapply, pins: plan.pins } },
    });
    expect(ww.calls.find((c) => c.method === 'readTree')?.args).toEqual([GOOD, 'k8s/apps/']);
  });

  it('a rollback that cannot be applied fails loudly and quarantines the commit', async () => {
    const refused = w({ apply: () => errR(fail('invalid', 'field is immutable')) });
    expect(await manifestRollback(ctx(failed({ rollbackIntent: reapply }), refused, at(2)))).toEqual({
      kind: 'advance',
      to: 'failed',
      reason: `ROLLBACK FAILED: re-applying ${GOOD}: field is immutable`,
      head: quarantined(2),
    });
    const unreadable = world({ source: { readTree: () => errR(fail('not-found', 'gone')) } });
    expect(await manifestRollback(ctx(failed({ rollbackIntent: reapply }), unreadable))).toMatchObject({
      to: 'failed',
      reason: `ROLLBACK FAILED: cannot read k8s/apps/ at ${GOOD}: gone`,
    });
  });

  it('undoes each pinned Deployment, skipping one without a previous revision', async () => {
    const undo: RollbackIntent = { mode: 'undo', startedAt: iso(0) };
    const ok = world({ cluster: { undo: () => okR({ image: pinned(5), changed: true }) } });
    expect(await manifestRollback(ctx(failed({ rollbackIntent: undo }), ok))).toEqual({
      kind: 'continue',
      afterSeconds: 5,
      progress: { rollbackSetAt: iso(0), rollbackIntent: { ...undo, pins: { 'tailspin-server': pinned(5) } } },
    });
    const none = world({ cluster: { undo: () => errR(fail('not-found')) } });
    expect(await manifestRollback(ctx(failed({ rollbackIntent: undo }), none))).toMatchObject({
      progress: { rollbackIntent: { ...undo, pins: {} } },
    });
    const refused = world({ cluster: { undo: () => errR(fail('auth', 'forbidden')) } });
    expect(await manifestRollback(ctx(failed({ rollbackIntent: undo }), refused))).toMatchObject({
      to: 'failed',
      reason: 'ROLLBACK FAILED: undo tailspin-server: forbidden',
    });
  });

  it('ends rolled_back when the rollback rolled out, failed when it did not', async () => {
    const set = failed({ rollbackIntent: { ...reapply, pins: plan.pins }, rollbackSetAt: iso(1) });
    expect(await manifestRollback(ctx(set, w({ observe: () => okR(rolledOut(pinned(0))) }), at(20)))).toEqual({
      kind: 'advance',
      to: 'rolled_back',
      reason: `rolled back to the manifests at ${GOOD} because smoke failed`,
      outcome: { rollback: { ...reapply, pins: plan.pins, completedAt: iso(20), reason: 'smoke failed' } },
      head: quarantined(20),
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
});
