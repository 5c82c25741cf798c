/**
 * The Cluster port's contract, run against the sandbox fake (npm test) and a real API server
 * (npm run test:cluster). A case that passes on one and fails on the other is a bug in the fake.
 * Each case builds its own small Deployment; images are pinned refs that are never pulled (kwok
 * plays the kubelet in the real control plane).
 */
import { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig, type V1Deployment } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Result } from '../../src/services/domain/result.js';
import type { Cluster, DeployAnnotations, RolloutObservation, Workload } from '../../src/services/ports.js';

export interface ClusterTarget {
  cluster: Cluster;
  kube: KubeConfig;
  namespace: string;
  cleanup(): Promise<void>;
}

export interface ContractTiming {
  pollMs: number;
  /** Upper bound for one rollout to finish (or to time out on its progress deadline). */
  deadlineMs: number;
}

export const IMAGE_A = 'registry.k8s.io/pause:3.9@sha256:7031c1b283388d2c2e09b57badb803c05ebed362dc88d84b480cc47f72a21097';
export const IMAGE_B = 'registry.k8s.io/pause:3.10@sha256:ee6521f290b2168b6e0935a181d4cff9be1ac3f505666ef0e3c98fae8199917a';

const notes = (releaseId: string, step: DeployAnnotations['step'] = 'deploy'): DeployAnnotations => ({
  releaseId,
  step,
  commit: 'c0ffee0',
  sourceEvent: 'contract-test',
  changeCause: `contract ${releaseId}`,
});

export function deploymentManifest(
  name: string,
  opts: { image?: string; replicas?: number; sim?: string; progressDeadlineSeconds?: number } = {},
): V1Deployment {
  const labels: Record<string, string> = { app: name, ...(opts.sim ? { 'tailspin.dev/sim': opts.sim } : {}) };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name } },
    spec: {
      replicas: opts.replicas ?? 2,
      progressDeadlineSeconds: opts.progressDeadlineSeconds ?? 600,
      selector: { matchLabels: { app: name } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels },
        spec: { automountServiceAccountToken: false, containers: [{ name: 'app', image: opts.image ?? IMAGE_A }] },
      },
    },
  };
}

export async function poll<T>(what: string, fn: () => Promise<T>, done: (v: T) => boolean, t: ContractTiming): Promise<T> {
  const until = Date.now() + t.deadlineMs;
  let last: T | undefined;
  for (;;) {
    last = await fn();
    if (done(last)) return last;
    if (Date.now() > until) throw new Error(`${what}: not reached within ${t.deadlineMs} ms; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, t.pollMs));
  }
}

const value = <T>(r: Result<T>): T => {
  if (!r.ok) throw new Error(`unexpected adapter error: ${JSON.stringify(r.error)}`);
  return r.value;
};

/** kubectl's rollout-status "successfully rolled out". */
export const complete = (o: RolloutObservation, replicas: number): boolean =>
  o.observedGeneration >= o.generation &&
  o.updatedReplicas === replicas &&
  o.replicas === replicas &&
  o.availableReplicas === replicas &&
  o.conditions.some((c) => c.type === 'Progressing' && c.reason === 'NewReplicaSetAvailable');

export function defineClusterContract(getTarget: () => Promise<ClusterTarget>, timing: ContractTiming): void {
  describe('Cluster contract', () => {
    let t: ClusterTarget;
    const w = (deployment: string): Workload => ({ namespace: t.namespace, deployment, container: 'app' });
    const create = async (d: V1Deployment) =>
      t.kube.makeApiClient(AppsV1Api).createNamespacedDeployment({ namespace: t.namespace, body: d });
    const observe = async (name: string) => value(await t.cluster.observe(w(name)));
    const rolledOut = (name: string, replicas = 2) =>
      poll(
        `${name} rolled out`,
        () => observe(name),
        (o) => complete(o, replicas),
        timing,
      );

    beforeAll(async () => {
      t = await getTarget();
    });
    afterAll(async () => {
      await t?.cleanup();
    });

    it('answers ping with the server version', async () => {
      expect(value(await t.cluster.ping()).version).toMatch(/^v1\.\d+/);
    });

    it('deploys by digest, annotates, bumps the revision, is idempotent, and undoes to the previous image', async () => {
      await create(deploymentManifest('web'));
      const first = await rolledOut('web');
      expect(first).toMatchObject({ image: IMAGE_A, revision: '1', podProblems: [] });

      expect(value(await t.cluster.setImage(w('web'), IMAGE_B, notes('rel-1')))).toEqual({ changed: true });
      const second = await rolledOut('web').then(() =>
        poll(
          'revision 2',
          () => observe('web'),
          (o) => o.revision === '2' && complete(o, 2),
          timing,
        ),
      );
      expect(second.image).toBe(IMAGE_B);
      expect(second.annotations).toMatchObject({
        'tailspin.dev/release-id': 'rel-1',
        'tailspin.dev/commit': 'c0ffee0',
        'tailspin.dev/source-event': 'contract-test',
        'kubernetes.io/change-cause': 'contract rel-1',
      });

      // Same image again: no patch, no new generation, no new revision.
      expect(value(await t.cluster.setImage(w('web'), IMAGE_B, notes('rel-2')))).toEqual({ changed: false });
      const same = await observe('web');
      expect(same).toMatchObject({ generation: second.generation, revision: '2' });
      expect(same.annotations['tailspin.dev/release-id']).toBe('rel-1');

      expect(value(await t.cluster.undo(w('web'), notes('rel-rollback')))).toEqual({ image: IMAGE_A, changed: true });
      const undone = await poll(
        'revision 3',
        () => observe('web'),
        (o) => o.revision === '3' && complete(o, 2),
        timing,
      );
      expect(undone.image).toBe(IMAGE_A);
      expect(undone.annotations['tailspin.dev/release-id']).toBe('rel-rollback');

      const events = value(await t.cluster.events(w('web'), 100));
      expect(events.some((e) => e.involvedObject === 'Deployment/web' && e.reason === 'ScalingReplicaSet')).toBe(true);
      expect(events.some((e) => e.involvedObject.startsWith('ReplicaSet/web-') && e.reason === 'SuccessfulCreate')).toBe(true);
      const times = events.map((e) => e.lastTimestamp ?? '');
      expect([...times].sort().reverse()).toEqual(times);
      expect(value(await t.cluster.events(w('web'), 2))).toHaveLength(2);
    });

    it('applies a patch that names a resourceVersion only to that version (409 Conflict otherwise)', async () => {
      const apps = t.kube.makeApiClient(AppsV1Api);
      const made = await create(deploymentManifest('versioned', { replicas: 1 }));
      const stale = made.metadata?.resourceVersion ?? '';
      await apps.patchNamespacedDeployment(
        { name: 'versioned', namespace: t.namespace, body: { metadata: { labels: { touched: 'yes' } } } },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      );
      const kinds: [PatchStrategy, object][] = [
        [PatchStrategy.StrategicMergePatch, { metadata: { resourceVersion: stale, labels: { late: 'yes' } } }],
        [PatchStrategy.MergePatch, { metadata: { resourceVersion: stale, labels: { late: 'yes' } } }],
        [
          PatchStrategy.JsonPatch,
          [
            { op: 'add', path: '/metadata/resourceVersion', value: stale },
            { op: 'add', path: '/metadata/labels/late', value: 'yes' },
          ],
        ],
      ];
      for (const [type, body] of kinds) {
        const answer = await apps
          .patchNamespacedDeployment({ name: 'versioned', namespace: t.namespace, body }, setHeaderOptions('Content-Type', type))
          .then(
            () => 200,
            (e: { code?: number }) => e.code,
          );
        expect(answer, type).toBe(409);
      }
      const now = await apps.readNamespacedDeployment({ name: 'versioned', namespace: t.namespace });
      expect(now.metadata?.labels).toMatchObject({ touched: 'yes' });
      expect(now.metadata?.labels?.late).toBeUndefined();
    });

    it('fences changes on the last writer: a late tick of an ended release writes nothing, a retried one nothing twice', async () => {
      await create(deploymentManifest('fenced'));
      await rolledOut('fenced');
      const a = { self: 'rel-a/deploy', after: [''] };
      expect(value(await t.cluster.setImage(w('fenced'), IMAGE_B, notes('rel-a'), a))).toEqual({ changed: true });
      expect((await observe('fenced')).writer).toBe('rel-a/deploy');
      // The same step again (a tick that crashed before its save): done already.
      expect(value(await t.cluster.setImage(w('fenced'), IMAGE_B, notes('rel-a'), a))).toEqual({ changed: false });
      // The next release follows rel-a's deploy.
      await rolledOut('fenced');
      const b = { self: 'rel-b/deploy', after: ['rel-a/deploy'] };
      expect(value(await t.cluster.setImage(w('fenced'), IMAGE_A, notes('rel-b'), b))).toEqual({ changed: true });
      // rel-a's late deploy and late rollback both find rel-b there: refused, and nothing changes.
      for (const late of [
        () => t.cluster.setImage(w('fenced'), IMAGE_B, notes('rel-a'), a),
        () => t.cluster.setImage(w('fenced'), IMAGE_B, notes('rel-a', 'rollback'), { self: 'rel-a/rollback', after: ['rel-a/deploy', ''] }),
        () => t.cluster.undo(w('fenced'), notes('rel-a', 'rollback'), { self: 'rel-a/rollback', after: ['rel-a/deploy', ''] }),
      ]) {
        const res = await late();
        expect(res.ok).toBe(false);
        if (!res.ok) expect(res.error).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/changed by rel-b\/deploy/) });
      }
      const after = await rolledOut('fenced');
      expect(after).toMatchObject({ image: IMAGE_A, writer: 'rel-b/deploy' });
      // rel-b rolls back by undo; the undo repeated (a retried tick) must not undo the undo.
      const back = { self: 'rel-b/rollback', after: ['rel-b/deploy', 'rel-a/deploy'] };
      expect(value(await t.cluster.undo(w('fenced'), notes('rel-b', 'rollback'), back))).toEqual({ image: IMAGE_B, changed: true });
      expect(value(await t.cluster.undo(w('fenced'), notes('rel-b', 'rollback'), back))).toEqual({ image: IMAGE_B, changed: false });
      expect(await rolledOut('fenced')).toMatchObject({ image: IMAGE_B, writer: 'rel-b/rollback' });
    });

    it('reports ProgressDeadlineExceeded when new pods never become ready', async () => {
      await create(deploymentManifest('stuck', { replicas: 1, sim: 'unready', progressDeadlineSeconds: 5 }));
      const o = await poll(
        'deadline exceeded',
        () => observe('stuck'),
        (x) => x.conditions.some((c) => c.type === 'Progressing' && c.status === 'False'),
        timing,
      );
      const progressing = o.conditions.find((c) => c.type === 'Progressing');
      expect(progressing?.reason).toBe('ProgressDeadlineExceeded');
      expect(progressing?.message).toMatch(/^ReplicaSet "stuck-[a-z0-9]+" has timed out progressing\.$/);
      expect(o).toMatchObject({ readyReplicas: 0, availableReplicas: 0, unavailableReplicas: 1, updatedReplicas: 1 });
    });

    it('reports CrashLoopBackOff containers as pod problems', async () => {
      await create(deploymentManifest('crashy', { replicas: 1, sim: 'crash' }));
      const o = await poll(
        'crash seen',
        () => observe('crashy'),
        (x) => x.podProblems.length > 0,
        timing,
      );
      expect(o.podProblems[0]).toMatchObject({ container: 'app', reason: 'CrashLoopBackOff' });
      expect(o.podProblems[0]!.pod).toMatch(/^crashy-/);
    });

    it('server-side applies documents with the tailspin-deployer field manager', async () => {
      const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: t.namespace }, data: { MODE: 'one' } };
      const dep = {
        ...deploymentManifest('applied', { replicas: 1 }),
        metadata: { name: 'applied', namespace: t.namespace, labels: { app: 'applied' } },
      };
      expect(value(await t.cluster.apply([cm, dep as unknown as Record<string, unknown>]))).toEqual({
        applied: [`ConfigMap/${t.namespace}/settings`, `Deployment/${t.namespace}/applied`],
      });
      value(await t.cluster.apply([{ ...cm, data: { MODE: 'two' } }]));
      const read = await t.kube.makeApiClient(CoreV1Api).readNamespacedConfigMap({ name: 'settings', namespace: t.namespace });
      expect(read.data).toEqual({ MODE: 'two' });
      // Fields the manager applied before and no longer applies are removed (what manifest rollbacks rely on).
      value(await t.cluster.apply([{ ...cm, metadata: { ...cm.metadata, labels: { tier: 'x' } }, data: { MODE: 'three', EXTRA: 'y' } }]));
      value(await t.cluster.apply([{ ...cm, data: { MODE: 'three' } }]));
      const pruned = await t.kube.makeApiClient(CoreV1Api).readNamespacedConfigMap({ name: 'settings', namespace: t.namespace });
      expect(pruned.data).toEqual({ MODE: 'three' });
      expect(pruned.metadata?.labels?.tier).toBeUndefined();
      expect(read.metadata?.managedFields?.some((f) => f.manager === 'tailspin-deployer' && f.operation === 'Apply')).toBe(true);
      await rolledOut('applied', 1);
    });

    it('maps missing things to not-found', async () => {
      for (const r of [
        await t.cluster.observe(w('absent')),
        await t.cluster.setImage(w('absent'), IMAGE_B, notes('x')),
        await t.cluster.events(w('absent')),
      ]) {
        expect(r.ok ? 'ok' : r.error.kind).toBe('not-found');
      }
      await create(deploymentManifest('single', { replicas: 1 }));
      await rolledOut('single', 1);
      const undo = await t.cluster.undo(w('single'), notes('x'));
      expect(undo.ok ? 'ok' : undo.error.kind).toBe('not-found');
      const wrongContainer = await t.cluster.observe({ namespace: t.namespace, deployment: 'single', container: 'nope' });
      expect(wrongContainer.ok ? 'ok' : wrongContainer.error.kind).toBe('not-found');
    });
  });
}
