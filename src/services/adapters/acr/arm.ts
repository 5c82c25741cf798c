/**
 * The ARM side: where the registry is and a ContainerRegistryManagementClient that reaches it.
 * Retries are off on purpose: the SDK would otherwise sleep through a 429's Retry-After inside a
 * Function; the pipeline re-enqueues itself with the delay instead (DESIGN.md §2, "No sleeping").
 */
import { ContainerRegistryManagementClient } from '@azure/arm-containerregistry';
import type { TokenCredential } from '@azure/identity';

export interface RegistryCoordinates {
  subscriptionId: string;
  resourceGroup: string;
  registryName: string;
}

const RESOURCE_ID = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ContainerRegistry\/registries\/([^/]+)\/?$/i;

/** `/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.ContainerRegistry/registries/{name}` */
export function parseRegistryResourceId(id: string): RegistryCoordinates | undefined {
  const m = RESOURCE_ID.exec(id.trim());
  if (!m) return undefined;
  const [, subscriptionId = '', resourceGroup = '', registryName = ''] = m;
  return { subscriptionId, resourceGroup, registryName };
}

export interface ArmClientOptions {
  credential: TokenCredential;
  subscriptionId: string;
  endpoint: string;
  /** PEM of an extra CA to trust (the sandbox's); replaces the default trust store for this client. */
  tlsCa?: string;
}

export function createArmClient(opts: ArmClientOptions): ContainerRegistryManagementClient {
  const endpoint = opts.endpoint.replace(/\/+$/, '');
  return new ContainerRegistryManagementClient(opts.credential, opts.subscriptionId, {
    endpoint,
    $host: endpoint,
    retryOptions: { maxRetries: 0 },
    ...(opts.tlsCa ? { tlsOptions: { ca: opts.tlsCa } } : {}),
  });
}
