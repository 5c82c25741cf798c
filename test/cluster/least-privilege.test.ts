/**
 * The deployer's Kubernetes rights against a real API server, acting as the deployer: the
 * ServiceAccount and Role of k8s/bootstrap/deployer-rbac.yaml are applied by an admin, a token is
 * requested for that ServiceAccount (TokenRequest), and the production cluster adapter runs with it.
 * Every kind the manifest allow-list accepts can be applied (the repository's own k8s/apps plus an
 * HPA) and rolled back; the rollout can be watched and undone; anything outside the allow-list, any
 * delete, and any other namespace is refused by the server with 403.
 *
 * $KUBECONFIG when set (a cluster you may create and delete a namespace in), otherwise a local
 * control plane (scripts/kube-testbin.sh).
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppsV1Api, CoreV1Api, KubeConfig, KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { createKubernetesCluster } from '../../src/services/adapters/kubernetes/index.js';
import { ALLOWED_KINDS, parseManifests, type K8sObject } from '../../src/services/domain/manifests.js';
import type { Result } from '../../src/services/domain/result.js';
import type { Cluster } from '../../src/services/ports.js';
import { silentLogger } from '../../src/services/logger.js';
import { complete, IMAGE_A, poll } from '../contract/cluster-contract.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const timing = { pollMs: 500, deadlineMs: 90_000 };
const NS = `tailspin-lp-${randomBytes(3).toString('hex')}`;

/** The repository's YAML with namespace tail-spin moved to this run's throw-away namespace. */
const yamlFiles = (dir: string) =>
  readdirSync(join(root, dir))
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => ({ path: `${dir}/${f}`, content: readFileSync(join(root, dir, f), 'utf8').replaceAll('tail-spin', NS) }));
const docsOf = (content: string) => parseAllDocuments(content).map((d) => d.toJS() as KubernetesObject);

const HPA: K8sObject = {
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'tailspin-server', namespace: NS, labels: { 'app.kubernetes.io/name': 'tailspin-server' } },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'tailspin-server' },
    minReplicas: 2,
    maxReplicas: 4,
    metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
  },
};

const value = <T>(r: Result<T>): T => {
  if (!r.ok) throw new Error(`unexpected adapter error: ${JSON.stringify(r.error)}`);
  return r.value;
};
const status = (e: unknown): number | undefined => (e as { code?: number }).code;

/** Kind → (API group, resource), for the kinds the manifest allow-list accepts. */
const RESOURCE_OF: Record<string, [string, string]> = {
  Deployment: ['apps', 'deployments'],
  Service: ['', 'services'],
  ConfigMap: ['', 'configmaps'],
  ServiceAccount: ['', 'serviceaccounts'],
  NetworkPolicy: ['networking.k8s.io', 'networkpolicies'],
  HorizontalPodAutoscaler: ['autoscaling', 'horizontalpodautoscalers'],
  PodDisruptionBudget: ['policy', 'poddisruptionbudgets'],
};

let admin: KubeConfig;
let deployer: KubeConfig;
let cluster: Cluster;
let stop = async () => {};

async function start(): Promise<KubeConfig> {
  const kc = new KubeConfig();
  if (process.env.KUBECONFIG) {
    kc.loadFromFile(process.env.KUBECONFIG);
    return kc;
  }
  const { startControlPlane } = await import('./control-plane.js');
  const plane = await startControlPlane();
  stop = () => plane.stop();
  kc.loadFromFile(plane.kubeconfigPath);
  return kc;
}

/** Apply as the admin (server-side apply, create or update). */
async function adminApply(objs: KubernetesObject[]) {
  const api = KubernetesObjectApi.makeApiClient(admin);
  for (const o of objs) await api.patch(o, undefined, undefined, 'tailspin-test-admin', true, PatchStrategy.ServerSideApply);
}

beforeAll(async () => {
  admin = await start();
  const bootstrap = yamlFiles('k8s/bootstrap');
  // The namespace first (with its pod-security label), then the deployer's ServiceAccount, Role, RoleBinding.
  await adminApply(docsOf(bootstrap.find((f) => f.path.endsWith('namespace.yaml'))!.content));
  await adminApply(docsOf(bootstrap.find((f) => f.path.endsWith('deployer-rbac.yaml'))!.content));
  const core = admin.makeApiClient(CoreV1Api);
  const token = await poll(
    'a token for the deployer ServiceAccount',
    () =>
      core
        .createNamespacedServiceAccountToken({
          name: 'tailspin-deployer',
          namespace: NS,
          body: { spec: { expirationSeconds: 3600, audiences: [] } },
        })
        .then((t) => t.status?.token ?? '')
        .catch(() => ''),
    (t) => t !== '',
    timing,
  );
  const server = admin.getCurrentCluster()!;
  deployer = new KubeConfig();
  deployer.loadFromOptions({
    clusters: [server],
    users: [{ name: 'tailspin-deployer', token }],
    contexts: [{ name: 'deployer', cluster: server.name, user: 'tailspin-deployer', namespace: NS }],
    currentContext: 'deployer',
  });
  cluster = createKubernetesCluster({ kubeConfig: deployer, logger: silentLogger, smokeTimeoutMs: 5_000 });
}, 240_000);

afterAll(async () => {
  await admin
    ?.makeApiClient(CoreV1Api)
    .deleteNamespace({ name: NS })
    .catch(() => undefined);
  await stop();
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
    const applied = value(await cluster.apply(objects)).applied;
    expect(applied).toHaveLength(objects.length);
    // Applying the same documents again is a no-op for the server, and allowed.
    value(await cluster.apply(objects));
  });

  it('watches the rollout, pins a new image and undoes it', async () => {
    const w = { namespace: NS, deployment: 'tailspin-server', container: 'tailspin-server' };
    const first = await poll(
      'tailspin-server rolled out',
      async () => value(await cluster.observe(w)),
      (o) => complete(o, 2),
      timing,
    );
    expect(first.revision).toBe('1');
    const notes = { releaseId: 'rel-lp', commit: 'c0ffee0', sourceEvent: 'least-privilege', changeCause: 'least-privilege test' };
    expect(value(await cluster.setImage(w, IMAGE_A, notes))).toEqual({ changed: true });
    await poll(
      'revision 2',
      async () => value(await cluster.observe(w)),
      (o) => o.revision === '2' && complete(o, 2),
      timing,
    );
    expect(value(await cluster.undo(w, { ...notes, releaseId: 'rel-lp-undo' })).changed).toBe(true);
    const back = await poll(
      'revision 3',
      async () => value(await cluster.observe(w)),
      (o) => o.revision === '3' && complete(o, 2),
      timing,
    );
    expect(back.image).toBe(first.image);
    expect(value(await cluster.events(w)).length).toBeGreaterThan(0);
  });

  it.each([...ALLOWED_KINDS])('rolls back a %s by re-applying its previous manifest', async (kind) => {
    const before = manifests().find((o) => o.kind === kind)!;
    const changed = {
      ...before,
      metadata: { ...before.metadata, labels: { ...(before.metadata.labels as object), 'tailspin.dev/release': 'bad' } },
    };
    value(await cluster.apply([changed]));
    const read = async () =>
      (
        await KubernetesObjectApi.makeApiClient(admin).read({
          apiVersion: before.apiVersion,
          kind,
          metadata: { name: before.metadata.name, namespace: NS },
        })
      ).metadata?.labels ?? {};
    expect((await read())['tailspin.dev/release']).toBe('bad');
    value(await cluster.apply([before]));
    expect((await read())['tailspin.dev/release']).toBeUndefined();
  });

  it('reaches the service proxy (the smoke checks’ path) without being refused', async () => {
    const r = await cluster.smoke(NS, {
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
    await refused(cluster.apply([doc]));
  });

  it('deleting a Deployment, reading Secrets, exec into a pod', async () => {
    const apps = deployer.makeApiClient(AppsV1Api);
    const core = deployer.makeApiClient(CoreV1Api);
    await expect(apps.deleteNamespacedDeployment({ name: 'tailspin-server', namespace: NS }).catch(status)).resolves.toBe(403);
    await expect(core.listNamespacedSecret({ namespace: NS }).catch(status)).resolves.toBe(403);
    await expect(core.connectPostNamespacedPodExec({ name: 'x', namespace: NS, command: 'sh' }).catch(status)).resolves.toBe(403);
    await expect(core.listNamespacedPod({ namespace: 'default' }).catch(status)).resolves.toBe(403);
  });
});

/** The deployer's Role as applied, with one verb of one resource taken away. */
function roleWithout(group: string, resource: string, verb: string): KubernetesObject {
  const role = docsOf(yamlFiles('k8s/bootstrap').find((f) => f.path.endsWith('deployer-rbac.yaml'))!.content).find(
    (d) => d.kind === 'Role',
  )!;
  const rules = (role as unknown as { rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] }).rules.flatMap((r) =>
    r.apiGroups.includes(group) && r.resources.includes(resource)
      ? [
          ...(r.verbs.length > 1 ? [{ apiGroups: [group], resources: [resource], verbs: r.verbs.filter((v) => v !== verb) }] : []),
          ...(r.resources.length > 1 ? [{ ...r, resources: r.resources.filter((x) => x !== resource) }] : []),
        ]
      : [r],
  );
  return { ...role, rules } as KubernetesObject;
}

describe('every verb of the Role is one the deployer needs', () => {
  const w = { namespace: NS, deployment: 'tailspin-server', container: 'tailspin-server' };
  const notes = { releaseId: 'rel-min', commit: 'c0ffee0', sourceEvent: 'least-privilege', changeCause: 'minimality' };
  const existing = (kind: string) => () => {
    const { objects } = parseManifests(yamlFiles('k8s/apps'), NS);
    return cluster.apply([[...objects, HPA].find((o) => o.kind === kind)!]);
  };
  const fresh = (kind: string) => () => {
    const { objects } = parseManifests(yamlFiles('k8s/apps'), NS);
    const o = [...objects, HPA].find((x) => x.kind === kind)!;
    return cluster.apply([{ ...o, metadata: { ...o.metadata, name: `${o.metadata.name}-new${randomBytes(2).toString('hex')}` } }]);
  };
  const probes: [string, string, string, () => Promise<Result<unknown>>][] = [
    ['apps', 'deployments', 'get', () => cluster.observe(w)],
    ['apps', 'deployments', 'patch', () => cluster.setImage(w, `${IMAGE_A.split('@')[0]}@sha256:${'1'.repeat(64)}`, notes)],
    ['apps', 'deployments', 'create', fresh('Deployment')],
    ['apps', 'replicasets', 'list', () => cluster.observe(w)],
    ['', 'pods', 'list', () => cluster.observe(w)],
    ['', 'events', 'list', () => cluster.events(w)],
    [
      '',
      'services/proxy',
      'get',
      () => cluster.smoke(NS, { kind: 'service-proxy', service: 'tailspin-server', port: 5100, path: '/', expectStatus: 200 }),
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
    await adminApply(docsOf(yamlFiles('k8s/bootstrap').find((f) => f.path.endsWith('deployer-rbac.yaml'))!.content));
  });

  it.each(probes)('without %s/%s %s a call fails with 403', async (group, resource, verb, probe) => {
    await adminApply([roleWithout(group, resource, verb)]);
    const r = await poll('the narrower Role in force', probe, (x) => !x.ok && x.error.kind === 'auth', timing);
    expect(r.ok ? 'ok' : r.error.status).toBe(403);
  });
});
