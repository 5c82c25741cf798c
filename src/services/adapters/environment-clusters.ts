/**
 * A cluster per promotion-graph environment that names its own (a kubeconfig file or an AKS
 * resource id); the others use the shared one. Loaded on first use, like every adapter.
 */
import type { TokenCredential } from '@azure/identity';
import type { Config } from '../config.js';
import type { Cluster, Logger } from '../ports.js';
import { clusterOptionsFromConfig } from './kubernetes/from-config.js';
import { lazyPort } from './lazy.js';

/** `credential`: the one the shared adapters use (one token cache), never one per environment. */
export function environmentClusters(c: Config, logger: Logger, credential: TokenCredential): Record<string, Cluster> {
  const out: Record<string, Cluster> = {};
  for (const env of c.promotion.environments) {
    if (!env.cluster) continue;
    const setting =
      'kubeconfig' in env.cluster
        ? { KUBECONFIG: env.cluster.kubeconfig, AKS_RESOURCE_ID: undefined }
        : { KUBECONFIG: undefined, AKS_RESOURCE_ID: env.cluster.aksResourceId };
    const options = clusterOptionsFromConfig({ ...setting, ARM_ENDPOINT: c.ARM_ENDPOINT }, { credential, logger });
    if (options) out[env.name] = lazyPort(() => import('./kubernetes/index.js').then((m) => m.createCluster(options)));
  }
  return out;
}
