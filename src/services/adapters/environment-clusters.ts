/**
 * A cluster (and a telemetry backend) per promotion-graph environment that names its own (a kubeconfig file or an AKS
 * resource id); the others use the shared one. Loaded on first use, like every adapter.
 */
import type { TokenCredential } from '@azure/identity';
import type { Config } from '../config.js';
import type { Cluster, Logger, Telemetry } from '../ports.js';
import { telemetryOptionsFromConfig } from './monitor/index.js';
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

/**
 * A telemetry adapter per environment that names its own workspace (its `telemetry.workspaceId`); the
 * others use the shared one. Same credential, endpoint and timeout as the shared adapter.
 */
export function environmentTelemetry(c: Config, logger: Logger, credential: TokenCredential): Record<string, Telemetry> {
  const out: Record<string, Telemetry> = {};
  for (const env of c.promotion.environments) {
    const workspaceId = env.telemetry?.workspaceId;
    if (!workspaceId) continue;
    const options = telemetryOptionsFromConfig({ ...c, LOG_ANALYTICS_WORKSPACE_ID: workspaceId }, { credential, logger });
    if (options) out[env.name] = lazyPort(() => import('./monitor/index.js').then((m) => m.createTelemetry(options)));
  }
  return out;
}
