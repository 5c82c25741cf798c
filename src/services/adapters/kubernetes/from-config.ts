/**
 * ClusterOptions from validated Config: which kubeconfig to use. KUBECONFIG (a file; the sandbox
 * writes one), else AKS_RESOURCE_ID (user credentials from ARM, bearer token from the managed
 * identity); undefined when neither is set. Imports no SDK: the adapter is loaded on first use.
 */
import type { TokenCredential } from '@azure/identity';
import type { Config } from '../../config.js';
import type { Logger } from '../../ports.js';
import type { AksCredentialsClient } from './kubeconfig.js';

export interface ClusterOptions {
  kubeconfig: { kind: 'file'; path: string } | { kind: 'aks'; resourceId: string; armEndpoint?: string };
  credential: TokenCredential;
  logger: Logger;
  /** Replaces the ARM client that lists the AKS user credentials (tests). */
  aksClient?: AksCredentialsClient;
}

export function clusterOptionsFromConfig(
  config: Pick<Config, 'KUBECONFIG' | 'AKS_RESOURCE_ID' | 'ARM_ENDPOINT'>,
  deps: { credential: TokenCredential; logger: Logger },
): ClusterOptions | undefined {
  if (config.KUBECONFIG) return { kubeconfig: { kind: 'file', path: config.KUBECONFIG }, ...deps };
  if (!config.AKS_RESOURCE_ID) return undefined;
  return {
    kubeconfig: { kind: 'aks', resourceId: config.AKS_RESOURCE_ID, ...(config.ARM_ENDPOINT ? { armEndpoint: config.ARM_ENDPOINT } : {}) },
    ...deps,
  };
}
