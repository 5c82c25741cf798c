/**
 * A throw-away namespace set up the way k8s/bootstrap says (namespace, then the deployer's
 * ServiceAccount, Role and RoleBinding, applied by an admin), and the production cluster adapter
 * acting as that ServiceAccount with a token from the TokenRequest API. The API server is
 * $KUBECONFIG when set, otherwise a local control plane (scripts/kube-testbin.sh).
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, KubeConfig, KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { createKubernetesCluster } from '../../src/services/adapters/kubernetes/index.js';
import type { K8sObject } from '../../src/services/domain/manifests.js';
import type { Result } from '../../src/services/domain/result.js';
import type { Cluster } from '../../src/services/ports.js';
import { silentLogger } from '../../src/services/logger.js';
import { poll } from '../contract/cluster-contract.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
export const timing = { pollMs: 500, deadlineMs: 90_000 };
export const NS = `tailspin-lp-${randomBytes(3).toString('hex')}`;

/** The repository's YAML with namespace tail-spin moved to this run's throw-away namespace. */
export const yamlFiles = (dir: string) =>
  readdirSync(join(root, dir))
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => ({ path: `${dir}/${f}`, content: readFileSync(join(root, dir, f), 'utf8').replaceAll('tail-spin', NS) }));
export const docsOf = (content: string) => parseAllDocuments(content).map((d) => d.toJS() as KubernetesObject);

export const HPA: K8sObject = {
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

export const value = <T>(r: Result<T>): T => {
  if (!r.ok) throw new Error(`unexpected adapter error: ${JSON.stringify(r.error)}`);
  return r.value;
};
export const status = (e: unknown): number | undefined => (e as { code?: number }).code;

/** Kind → (API group, resource), for the kinds the manifest allow-list accepts. */
export const RESOURCE_OF: Record<string, [string, string]> = {
  Deployment: ['apps', 'deployments'],
  Service: ['', 'services'],
  ConfigMap: ['', 'configmaps'],
  ServiceAccount: ['', 'serviceaccounts'],
  NetworkPolicy: ['networking.k8s.io', 'networkpolicies'],
  HorizontalPodAutoscaler: ['autoscaling', 'horizontalpodautoscalers'],
  PodDisruptionBudget: ['policy', 'poddisruptionbudgets'],
};

/** The deployer's Role as applied, with one verb of one resource taken away. */
export function roleWithout(group: string, resource: string, verb: string): KubernetesObject {
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

export interface DeployerTarget {
  admin: KubeConfig;
  /** A kubeconfig whose user is the tailspin-deployer ServiceAccount. */
  deployer: KubeConfig;
  /** The production adapter, as the deployer. */
  cluster: Cluster;
  /** Server-side apply as the admin (create or update). */
  adminApply(objs: KubernetesObject[]): Promise<void>;
  cleanup(): Promise<void>;
}

export async function deployerTarget(): Promise<DeployerTarget> {
  let stop = async () => {};
  const admin = new KubeConfig();
  if (process.env.KUBECONFIG) admin.loadFromFile(process.env.KUBECONFIG);
  else {
    const { startControlPlane } = await import('./control-plane.js');
    const plane = await startControlPlane();
    stop = () => plane.stop();
    admin.loadFromFile(plane.kubeconfigPath);
  }
  const adminApply = async (objs: KubernetesObject[]) => {
    const api = KubernetesObjectApi.makeApiClient(admin);
    for (const o of objs) await api.patch(o, undefined, undefined, 'tailspin-test-admin', true, PatchStrategy.ServerSideApply);
  };
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
  const deployer = new KubeConfig();
  deployer.loadFromOptions({
    clusters: [server],
    users: [{ name: 'tailspin-deployer', token }],
    contexts: [{ name: 'deployer', cluster: server.name, user: 'tailspin-deployer', namespace: NS }],
    currentContext: 'deployer',
  });
  return {
    admin,
    deployer,
    cluster: createKubernetesCluster({ kubeConfig: deployer, logger: silentLogger, smokeTimeoutMs: 5_000 }),
    adminApply,
    cleanup: async () => {
      await core.deleteNamespace({ name: NS }).catch(() => undefined);
      await stop();
    },
  };
}
