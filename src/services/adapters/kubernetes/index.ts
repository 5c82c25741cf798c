/**
 * The Kubernetes cluster adapter. createClusterFromConfig picks the KubeConfig source from
 * settings: KUBECONFIG (a file; the sandbox writes one), else AKS_RESOURCE_ID (user credentials from
 * ARM, bearer token from the managed identity), else the in-cluster service account.
 */
import type { TokenCredential } from '@azure/identity';
import type { Cluster, Clock, Logger } from '../../ports.js';
import { createKubernetesCluster } from './cluster.js';
import { aksKubeConfig, fromFile, inCluster, parseAksResourceId, type AksCredentialsClient, type KubeConfigSource } from './kubeconfig.js';

export { createKubernetesCluster, FIELD_MANAGER, type KubernetesClusterOptions } from './cluster.js';
export { AKS_SCOPE, aksKubeConfig, tokenCache, withBearerToken, type KubeConfigSource } from './kubeconfig.js';
export { ANNOTATIONS } from './rollout.js';

export interface ClusterSettings {
  KUBECONFIG?: string;
  AKS_RESOURCE_ID?: string;
  ARM_ENDPOINT?: string;
}

export function createClusterFromConfig(
  settings: ClusterSettings,
  credential: TokenCredential,
  deps: { logger: Logger; clock?: Clock; smokeTimeoutMs?: number; aksClient?: AksCredentialsClient },
): Cluster {
  let kubeConfig: KubeConfigSource;
  if (settings.KUBECONFIG) kubeConfig = fromFile(settings.KUBECONFIG);
  else if (settings.AKS_RESOURCE_ID) {
    const resourceId = settings.AKS_RESOURCE_ID;
    const client = deps.aksClient ?? lazyAksClient(resourceId, credential, settings.ARM_ENDPOINT);
    kubeConfig = aksKubeConfig({ resourceId, credential, client });
  } else kubeConfig = inCluster();
  return createKubernetesCluster({
    kubeConfig,
    logger: deps.logger,
    ...(deps.clock ? { clock: deps.clock } : {}),
    ...(deps.smokeTimeoutMs ? { smokeTimeoutMs: deps.smokeTimeoutMs } : {}),
  });
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
