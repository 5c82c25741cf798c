import { describe, expect, it } from 'vitest';
import { manifestDeploy } from '../../../../src/services/pipeline/steps/manifest.js';
import type { Cluster, ReleaseStore, StoredHead } from '../../../../src/services/ports.js';
import type { ManifestPlan, Release } from '../../../../src/services/domain/release.js';
import { COMMIT, REGISTRY, aRelease, at, ctx, digest, errR, fail, iso, memoryHeads, okR, pinned, rolledOut, world } from '../world.js';
import { ID, deployment, lastGood, manifest, service } from './manifest-fixture.js';

const client = (image: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'tailspin-client', namespace: 'tail-spin' },
  spec: { template: { spec: { containers: [{ name: 'tailspin-client', image }] } } },
});
const CLIENT_DECLARED = `${REGISTRY}/tailspin-client@${digest(6)}`;
/** As planned and gated: the server's own image left as declared (it has a verified digest), the client's resolved. */
const planned: ManifestPlan = {
  objects: [deployment({ app: `${REGISTRY}/tailspin-server:latest` }), service, client(CLIENT_DECLARED)],
  pins: {},
  images: [{ image: CLIENT_DECLARED, where: ['k8s/apps/client.yaml#1 …'], verdict: 'pass', summary: 'passed' }],
  fallback: { 'tailspin-client': CLIENT_DECLARED },
};
const k8s = { 'k8s/dev': { active: { releaseId: ID, target: COMMIT } } };
const deploying = (progress: Release['progress'] = {}) => manifest({ phase: 'deploying', progress: { manifest: planned, ...progress } });
const holder = { releaseId: ID, target: COMMIT, kind: 'manifest' as const };
const imageRelease = (phase: Release['phase']) => aRelease({ id: 'r-img', phase });

function w(heads: Record<string, Partial<StoredHead>>, store: Partial<ReleaseStore> = {}, cluster: Partial<Cluster> = {}) {
  const mem = memoryHeads({ ...k8s, ...heads });
  return { mem, ww: world({ store: { ...mem.store, ...store }, cluster }) };
}

describe('manifest releases: holding the slots of the apps they change', () => {
  it('takes one app slot per tick in app-name order, recording each, then pins each app to its digest now', async () => {
    const { mem, ww } = w({ 'tailspin-server/dev': { lastGood } });
    expect(await manifestDeploy(ctx(deploying(), ww))).toEqual({ kind: 'continue', progress: { slots: ['tailspin-client'] } });
    expect(mem.head('tailspin-client/dev')?.active).toEqual(holder);
    expect(mem.head('tailspin-server/dev')?.active).toBeUndefined();
    expect(await manifestDeploy(ctx(deploying({ slots: ['tailspin-client'] }), ww))).toEqual({
      kind: 'continue',
      progress: { slots: ['tailspin-client', 'tailspin-server'] },
    });
    const pins = { 'tailspin-server': pinned(0), 'tailspin-client': CLIENT_DECLARED };
    expect(await manifestDeploy(ctx(deploying({ slots: ['tailspin-client', 'tailspin-server'] }), ww, at(2)))).toEqual({
      kind: 'continue',
      progress: {
        manifest: { ...planned, objects: [deployment({ app: pinned(0) }), service, client(CLIENT_DECLARED)], pins },
        pinnedAt: iso(2),
      },
      outcome: {
        manifest: {
          commit: COMMIT,
          objects: ['Deployment/tailspin-server', 'Service/tailspin-server', 'Deployment/tailspin-client'],
          pins,
        },
      },
    });
  });

  it('a crash after a take is harmless: the next tick finds the slot its own and goes on', async () => {
    const { mem, ww } = w({ 'tailspin-client/dev': { active: holder }, 'tailspin-server/dev': { lastGood } });
    expect(await manifestDeploy(ctx(deploying(), ww))).toEqual({ kind: 'continue', progress: { slots: ['tailspin-server'] } });
    expect(mem.head('tailspin-client/dev')?.active).toEqual(holder);
  });

  it('pins the digest verified while it waited for the slot, not the one verified when it was planned', async () => {
    const newer = {
      releaseId: 'r-img',
      target: digest(2),
      image: { registry: REGISTRY, repository: 'tailspin-server', digest: digest(2) },
    };
    const { ww } = w({ 'tailspin-client/dev': { active: holder }, 'tailspin-server/dev': { active: holder, lastGood: newer } });
    expect(await manifestDeploy(ctx(deploying({ slots: ['tailspin-client', 'tailspin-server'] }), ww))).toMatchObject({
      progress: { manifest: { pins: { 'tailspin-server': pinned(2) } } },
    });
  });

  it('waits while an image release holds an app, gives up at the slot deadline; nothing applied either way', async () => {
    const heads = {
      'tailspin-client/dev': { active: holder },
      'tailspin-server/dev': { active: { releaseId: 'r-img', target: digest(2) } },
    };
    const { ww } = w(heads, { get: () => Promise.resolve(imageRelease('verifying')) });
    expect(await manifestDeploy(ctx(deploying(), ww, at(5)))).toEqual({
      kind: 'wait',
      on: 'slot',
      for: 'deploy slot: tailspin-server: waiting for release r-img to finish',
      deadline: at(1805),
      afterSeconds: 5,
    });
    const waiting = deploying({ slots: ['tailspin-client'] });
    waiting.wait = { on: 'slot', for: '…', since: iso(5), deadline: iso(1805) };
    expect(await manifestDeploy(ctx(waiting, ww, at(1806)))).toMatchObject({
      kind: 'advance',
      to: 'blocked',
      reason: 'gave up after 1800 s tailspin-server: waiting for release r-img to finish; nothing was applied',
      head: { app: 'k8s' },
    });
    expect(ww.callsTo('cluster')).toEqual([]);
  });

  it('clears a slot whose holder has ended without freeing it, then takes it', async () => {
    const heads = {
      'tailspin-client/dev': { active: holder },
      'tailspin-server/dev': { lastGood, active: { releaseId: 'r-img', target: digest(2) } },
    };
    const { mem, ww } = w(heads, { get: () => Promise.resolve(imageRelease('rolled_back')) });
    expect(await manifestDeploy(ctx(deploying(), ww))).toEqual({ kind: 'continue' });
    expect(mem.head('tailspin-server/dev')?.active).toBeUndefined();
    expect(await manifestDeploy(ctx(deploying(), ww))).toEqual({ kind: 'continue', progress: { slots: ['tailspin-server'] } });
  });

  it('a lost compare-and-swap looks again at once', async () => {
    const { ww } = w({}, { putHead: () => Promise.resolve({ ok: false as const, error: 'conflict' as const }) });
    expect(await manifestDeploy(ctx(deploying(), ww))).toEqual({ kind: 'continue' });
  });

  it('blocks when an app has neither a verified digest nor a gated declared image, or that image is quarantined', async () => {
    const all = { 'tailspin-client/dev': { active: holder }, 'tailspin-server/dev': { active: holder } };
    expect(await manifestDeploy(ctx(deploying(), w(all).ww))).toMatchObject({
      to: 'blocked',
      reason: 'no verified digest for tailspin-server, and its declared image was not resolved; nothing was applied',
    });
    const q = {
      ...all,
      'tailspin-server/dev': { active: holder, lastGood },
      'tailspin-client/dev': { active: holder, quarantined: [{ digest: digest(6), releaseId: 'r-bad', at: iso(-9) }] },
    };
    expect(await manifestDeploy(ctx(deploying(), w(q).ww))).toMatchObject({
      to: 'blocked',
      reason: `tailspin-client's declared image ${CLIENT_DECLARED} is quarantined after a failed release; nothing was applied`,
    });
  });

  it('a release admitted before manifests were gated is blocked rather than applied ungated', async () => {
    const old = manifest({ phase: 'deploying', progress: { manifest: { objects: [service], pins: {} } } });
    expect(await manifestDeploy(ctx(old, world({ heads: k8s })))).toMatchObject({
      to: 'blocked',
      reason: expect.stringMatching(/^no gated manifest plan/),
    });
  });
});

describe('manifest releases: apply and watch', () => {
  const plan: ManifestPlan = { objects: [deployment({ app: pinned(0) }), service], pins: { 'tailspin-server': pinned(0) }, images: [] };
  const pinnedRelease = (progress: Release['progress'] = {}) =>
    manifest({ phase: 'deploying', progress: { manifest: plan, pinnedAt: iso(0), ...progress } });
  const ww = (cluster: Partial<Cluster>) => world({ heads: k8s, cluster });

  it('applies the pinned objects; a transient failure is tried until the deadline from the pin, a final one rolls back at once', async () => {
    const applied = ww({ apply: () => okR({ applied: ['Deployment/tailspin-server', 'Service/tailspin-server'] }) });
    expect(await manifestDeploy(ctx(pinnedRelease(), applied, at(1)))).toEqual({
      kind: 'continue',
      afterSeconds: 5,
      progress: { appliedAt: iso(1), imageSetAt: iso(1) },
      outcome: { applied: ['Deployment/tailspin-server', 'Service/tailspin-server'] },
    });
    expect(applied.calls.find((c) => c.method === 'apply')?.args).toEqual([plan.objects]);
    const flaky = ww({ apply: () => errR(fail('transient', 'etcd leader changed')) });
    expect(await manifestDeploy(ctx(pinnedRelease(), flaky, at(10)))).toEqual({
      kind: 'wait',
      on: 'kubernetes',
      for: 'kubernetes: applying manifests (etcd leader changed)',
      deadline: at(600),
      afterSeconds: 5,
    });
    expect(await manifestDeploy(ctx(pinnedRelease(), flaky, at(600)))).toEqual({
      kind: 'advance',
      to: 'rolling_back',
      reason: 'server-side apply failed: etcd leader changed (transient: still failing after 600 s)',
      outcome: {
        failure: { reason: 'server-side apply failed: etcd leader changed (transient: still failing after 600 s)', at: iso(600) },
      },
    });
    const refused = ww({ apply: () => errR(fail('invalid', 'field is immutable')) });
    expect(await manifestDeploy(ctx(pinnedRelease(), refused, at(10)))).toMatchObject({
      to: 'rolling_back',
      reason: 'server-side apply failed: field is immutable (invalid: final, not retried)',
    });
  });

  const applied = pinnedRelease({ appliedAt: iso(0), imageSetAt: iso(0) });

  it('watches every pinned Deployment: complete goes to verifying, progress waits, failure rolls back', async () => {
    expect(await manifestDeploy(ctx(applied, ww({ observe: () => okR(rolledOut(pinned(0))) }), at(9)))).toEqual({
      kind: 'advance',
      to: 'verifying',
      reason: 'manifests at c0ffee0 applied and rolled out',
      progress: { rolloutCompleteAt: iso(9) },
    });
    const slow = ww({ observe: () => okR(rolledOut(pinned(0), { updatedReplicas: 1 })) });
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
    const changed = ww({ observe: () => okR(rolledOut(pinned(7))) });
    expect(await manifestDeploy(ctx(applied, changed, at(9)))).toMatchObject({
      to: 'rolling_back',
      reason: expect.stringMatching(/^rollout failed: tailspin-server: the Deployment's image is/),
    });
  });

  it('retries watching while the cluster is unreachable, then rolls back', async () => {
    const down = ww({ observe: () => errR(fail('transient', 'EOF')) });
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
