/** The Kubernetes cluster adapter: the Cluster port over @kubernetes/client-node. */
import type { TokenCredential } from '@azure/identity';
import type { Cluster } from '../../ports.js';
import { createKubernetesCluster } from './cluster.js';
import { aksKubeConfig, fromFile, parseAksResourceId, type AksCredentialsClient } from './kubeconfig.js';
import type { ClusterOptions } from './from-config.js';

export { createKubernetesCluster } from './cluster.js';

/** The Cluster port from options (see ./from-config.ts); the SDK loads with this module. */
export function createCluster(opts: ClusterOptions): Cluster {
  const { kubeconfig: k } = opts;
  const kubeConfig =
    k.kind === 'file'
      ? fromFile(k.path)
      : aksKubeConfig({
          resourceId: k.resourceId,
          credential: opts.credential,
          client: opts.aksClient ?? lazyAksClient(k.resourceId, opts.credential, k.armEndpoint),
        });
  return createKubernetesCluster({ kubeConfig, logger: opts.logger });
}

/** The ARM SDK is imported only when AKS is used (cold start: lazy-load heavy SDKs). */
function lazyAksClient(resourceId: string, credential: TokenCredential, endpoint?: string): AksCredentialsClient {
  const { subscriptionId } = parseAksResourceId(resourceId);
  return {
    async listClusterUserCredentials(resourceGroup, name) {
      const { ContainerServiceClient } = await import('@azure/arm-containerservice');
      const client = new ContainerServiceClient(credential, subscriptionId, endpoint ? { endpoint } : {});
      return client.managedClusters.listClusterUserCredentials(resourceGroup, name);
    },
  };
}
