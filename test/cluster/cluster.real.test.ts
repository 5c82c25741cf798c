/**
 * The Cluster contract against a real Kubernetes API server: $KUBECONFIG when set (any cluster you
 * may create and delete a throw-away namespace in), otherwise a local control plane (etcd,
 * kube-apiserver, controller-manager, scheduler, kwok) built by scripts/kube-testbin.sh.
 */
import { randomBytes } from 'node:crypto';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { createKubernetesCluster } from '../../src/services/adapters/kubernetes/index.js';
import { silentLogger } from '../../src/services/logger.js';
import { defineClusterContract, type ClusterTarget } from '../contract/cluster-contract.js';

async function realTarget(): Promise<ClusterTarget> {
  let kubeconfigPath = process.env.KUBECONFIG;
  let stopPlane = async () => {};
  if (!kubeconfigPath) {
    const { startControlPlane } = await import('./control-plane.js');
    try {
      const plane = await startControlPlane();
      kubeconfigPath = plane.kubeconfigPath;
      stopPlane = () => plane.stop();
    } catch (e) {
      throw new Error(
        `no KUBECONFIG and the local control plane did not start (${e instanceof Error ? e.message : String(e)}). ` +
          'Build its binaries with scripts/kube-testbin.sh, or point KUBECONFIG at a cluster.',
        { cause: e },
      );
    }
  }
  const kube = new KubeConfig();
  kube.loadFromFile(kubeconfigPath);
  const namespace = `tailspin-contract-${randomBytes(3).toString('hex')}`;
  const core = kube.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await waitForDefaultServiceAccount(core, namespace);
  return {
    kube,
    namespace,
    cluster: createKubernetesCluster({ kubeConfig: kube, logger: silentLogger }),
    cleanup: async () => {
      await core.deleteNamespace({ name: namespace }).catch(() => undefined);
      await stopPlane();
    },
  };
}

/** Pods are refused until the service account controller has created "default" in a new namespace. */
async function waitForDefaultServiceAccount(core: CoreV1Api, namespace: string): Promise<void> {
  const until = Date.now() + 30_000;
  for (;;) {
    try {
      await core.readNamespacedServiceAccount({ name: 'default', namespace });
      return;
    } catch (e) {
      if (Date.now() > until) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

defineClusterContract(realTarget, { pollMs: 500, deadlineMs: 90_000 });
