/**
 * The deployer's Kubernetes rights against a real API server, acting as the deployer (see
 * deployer-target.ts): every kind the manifest allow-list accepts can be applied (the repository's
 * own k8s/apps plus an HPA) and rolled back; the rollout can be watched and undone; anything outside
 * the allow-list, any delete and any other namespace is refused by the server with 403; and taking
 * away any one verb of the Role breaks a call the deployer makes.
 */
import { randomBytes } from 'node:crypto';
import { AppsV1Api, CoreV1Api, KubernetesObjectApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLOWED_KINDS, parseManifests } from '../../src/services/domain/manifests.js';
import type { Result } from '../../src/services/domain/result.js';
import { complete, IMAGE_A, poll } from '../contract/cluster-contract.js';
import {
  deployerTarget,
  docsOf,
  HPA,
  NS,
  RESOURCE_OF,
  roleWithout,
  status,
  timing,
  value,
  yamlFiles,
  type DeployerTarget,
} from './deployer-target.js';

let t: DeployerTarget;
beforeAll(async () => {
  t = await deployerTarget();
}, 240_000);
afterAll(async () => {
  await t?.cleanup();
});

describe('as the deployer ServiceAccount, with k8s/bootstrap/deployer-rbac.yaml', () => {
  const manifests = () => {
    const { objects, problems } = parseManifests(yamlFiles('k8s/apps'), NS);
    expect(problems).toEqual([]);
    return [...objects, HPA];
  };

  it('applies every kind the manifest allow-list accepts (the repository’s k8s/apps plus an HPA)', async () => {
    const objects = manifests();
    expect(new Set(objects.map((o) => o.kind))).toEqual(ALLOWED_KINDS);
    const applied = value(await t.cluster.apply(objects)).applied;
    expect(applied).toHaveLength(objects.length);
    // Applying the same documents again is a no-op for the server, and allowed.
    value(await t.cluster.apply(objects));
  });

  it('watches the rollout, pins a new image and undoes it', async () => {
    const w = { namespace: NS, deployment: 'tailspin-server', container: 'tailspin-server' };
    const first = await poll(
      'tailspin-server rolled out',
      async () => value(await t.cluster.observe(w)),
      (o) => complete(o, 2),
      timing,
    );
    expect(first.revision).toBe('1');
    const notes = {
      releaseId: 'rel-lp',
      step: 'deploy' as const,
      commit: 'c0ffee0',
      sourceEvent: 'least-privilege',
      changeCause: 'least-privilege test',
    };
    expect(value(await t.cluster.setImage(w, IMAGE_A, notes))).toEqual({ changed: true });
    await poll(
      'revision 2',
      async () => value(await t.cluster.observe(w)),
      (o) => o.revision === '2' && complete(o, 2),
      timing,
    );
    expect(value(await t.cluster.undo(w, { ...notes, releaseId: 'rel-lp-undo' })).changed).toBe(true);
    const back = await poll(
      'revision 3',
      async () => value(await t.cluster.observe(w)),
      (o) => o.revision === '3' && complete(o, 2),
      timing,
    );
    expect(back.image).toBe(first.image);
    expect(value(await t.cluster.events(w)).length).toBeGreaterThan(0);
  });

  it.each([...ALLOWED_KINDS])('rolls back a %s by re-applying its previous manifest', async (kind) => {
    const before = manifests().find((o) => o.kind === kind)!;
    const changed = {
      ...before,
      metadata: { ...before.metadata, labels: { ...(before.metadata.labels as object), 'tailspin.dev/release': 'bad' } },
    };
    value(await t.cluster.apply([changed]));
    const read = async () =>
      (
        await KubernetesObjectApi.makeApiClient(t.admin).read({
          apiVersion: before.apiVersion,
          kind,
          metadata: { name: before.metadata.name, namespace: NS },
        })
      ).metadata?.labels ?? {};
    expect((await read())['tailspin.dev/release']).toBe('bad');
    value(await t.cluster.apply([before]));
    expect((await read())['tailspin.dev/release']).toBeUndefined();
  });

  it('reaches the service proxy (the smoke checks’ path) without being refused', async () => {
    const r = await t.cluster.smoke(NS, {
      kind: 'service-proxy',
      service: 'tailspin-server',
      port: 5100,
      path: '/api/games',
      expectStatus: 200,
    });
    // No pod answers here (kwok plays the kubelet), so the check itself fails — but as the app's
    // failure, not the API server refusing the deployer.
    expect(r.ok).toBe(true);
  });
});

describe('refused by the API server (403)', () => {
  const refused = async (what: Promise<Result<unknown>>) => {
    const r = await what;
    expect(r.ok ? 'applied' : `${r.error.kind} ${String(r.error.status)}`).toBe('auth 403');
  };

  it.each([
    ['a Secret', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x', namespace: NS }, stringData: { a: 'b' } }],
    [
      'a Role',
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'x', namespace: NS },
        rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }],
      },
    ],
    [
      'a Job',
      {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'x', namespace: NS },
        spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'x', image: IMAGE_A }] } } },
      },
    ],
    [
      'a ConfigMap in another namespace',
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'default' }, data: { a: 'b' } },
    ],
    ['a Namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `${NS}-other` } }],
  ])('applying %s', async (_what, doc) => {
    await refused(t.cluster.apply([doc]));
  });

  it('deleting a Deployment, reading Secrets, exec into a pod', async () => {
    const apps = t.deployer.makeApiClient(AppsV1Api);
    const core = t.deployer.makeApiClient(CoreV1Api);
    await expect(apps.deleteNamespacedDeployment({ name: 'tailspin-server', namespace: NS }).catch(status)).resolves.toBe(403);
    await expect(core.listNamespacedSecret({ namespace: NS }).catch(status)).resolves.toBe(403);
    await expect(core.connectPostNamespacedPodExec({ name: 'x', namespace: NS, command: 'sh' }).catch(status)).resolves.toBe(403);
    await expect(core.listNamespacedPod({ namespace: 'default' }).catch(status)).resolves.toBe(403);
  });
});

describe('every verb of the Role is one the deployer needs', () => {
  const w = { namespace: NS, deployment: 'tailspin-server', container: 'tailspin-server' };
  const notes = {
    releaseId: 'rel-min',
    step: 'deploy' as const,
    commit: 'c0ffee0',
    sourceEvent: 'least-privilege',
    changeCause: 'minimality',
  };
  const existing = (kind: string) => () => {
    const { objects } = parseManifests(yamlFiles('k8s/apps'), NS);
    return t.cluster.apply([[...objects, HPA].find((o) => o.kind === kind)!]);
  };
  const fresh = (kind: string) => () => {
    const { objects } = parseManifests(yamlFiles('k8s/apps'), NS);
    const o = [...objects, HPA].find((x) => x.kind === kind)!;
    return t.cluster.apply([{ ...o, metadata: { ...o.metadata, name: `${o.metadata.name}-new${randomBytes(2).toString('hex')}` } }]);
  };
  const probes: [string, string, string, () => Promise<Result<unknown>>][] = [
    ['apps', 'deployments', 'get', () => t.cluster.observe(w)],
    ['apps', 'deployments', 'patch', () => t.cluster.setImage(w, `${IMAGE_A.split('@')[0]}@sha256:${'1'.repeat(64)}`, notes)],
    ['apps', 'deployments', 'create', fresh('Deployment')],
    ['apps', 'replicasets', 'list', () => t.cluster.observe(w)],
    ['', 'pods', 'list', () => t.cluster.observe(w)],
    ['', 'events', 'list', () => t.cluster.events(w)],
    [
      '',
      'services/proxy',
      'get',
      () => t.cluster.smoke(NS, { kind: 'service-proxy', service: 'tailspin-server', port: 5100, path: '/', expectStatus: 200 }),
    ],
    ...[...ALLOWED_KINDS]
      .filter((k) => k !== 'Deployment')
      .flatMap((kind): [string, string, string, () => Promise<Result<unknown>>][] => {
        const [group, resource] = RESOURCE_OF[kind]!;
        return [
          [group, resource, 'patch', existing(kind)],
          [group, resource, 'create', fresh(kind)],
        ];
      }),
  ];

  afterAll(async () => {
    await t.adminApply(docsOf(yamlFiles('k8s/bootstrap').find((f) => f.path.endsWith('deployer-rbac.yaml'))!.content));
  });

  it.each(probes)('without %s/%s %s a call fails with 403', async (group, resource, verb, probe) => {
    await t.adminApply([roleWithout(group, resource, verb)]);
    const r = await poll('the narrower Role in force', probe, (x) => !x.ok && x.error.kind === 'auth', timing);
    expect(r.ok ? 'ok' : r.error.status).toBe(403);
  });
});
