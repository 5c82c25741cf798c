/**
 * Where the adapter's KubeConfig comes from: a kubeconfig file, in-cluster service account, or an
 * AKS cluster's user credentials. AKS hands out a kubeconfig whose user runs kubelogin (exec),
 * which cannot run in Functions; the user is replaced with a bearer token from an
 * @azure/identity TokenCredential for the AKS server application, refreshed before it expires.
 */
import type { TokenCredential, AccessToken } from '@azure/identity';
import { KubeConfig } from '@kubernetes/client-node';

/** The AKS AAD server application every AKS cluster trusts (Azure docs: "AKS managed Entra ID"). */
export const AKS_SCOPE = '6dae42f8-4368-4678-94ff-3960e28e3630/.default';
const REFRESH_MARGIN_MS = 5 * 60_000;

export type KubeConfigSource = KubeConfig | (() => Promise<KubeConfig>);

export function fromFile(path: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

export function inCluster(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromCluster();
  return kc;
}

/** A token cache honouring expiresOnTimestamp minus a margin; concurrent callers share one fetch. */
export function tokenCache(credential: TokenCredential, scope: string, now: () => number = Date.now): () => Promise<string> {
  let current: AccessToken | undefined;
  let pending: Promise<AccessToken> | undefined;
  return async () => {
    if (current && current.expiresOnTimestamp - REFRESH_MARGIN_MS > now()) return current.token;
    pending ??= credential.getToken(scope).then((t) => {
      if (!t) throw new Error('credential returned no token for the AKS scope');
      return t;
    });
    try {
      current = await pending;
    } finally {
      pending = undefined;
    }
    return current.token;
  };
}

/** Replace the current user's auth (exec/kubelogin, certs) with a bearer token. */
export function withBearerToken(kubeconfigYaml: string, token: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfigYaml);
  const ctx = kc.getContextObject(kc.getCurrentContext());
  const userName = ctx?.user ?? 'tailspin-deployer';
  kc.loadFromOptions({
    clusters: kc.getClusters(),
    contexts: kc.getContexts(),
    users: [...kc.getUsers().filter((u) => u.name !== userName), { name: userName, token }],
    currentContext: kc.getCurrentContext(),
  });
  return kc;
}

export interface AksCredentialsClient {
  /** managedClusters.listClusterUserCredentials(resourceGroup, name) → kubeconfigs[].value bytes */
  listClusterUserCredentials(resourceGroupName: string, resourceName: string): Promise<{ kubeconfigs?: { value?: Uint8Array }[] }>;
}

/** `/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.ContainerService/managedClusters/<name>` */
export function parseAksResourceId(id: string): { subscriptionId: string; resourceGroup: string; name: string } {
  const m =
    /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ContainerService\/managedClusters\/([^/]+)\/?$/i.exec(id);
  if (!m)
    throw new Error('AKS_RESOURCE_ID: expected /subscriptions/…/resourceGroups/…/providers/Microsoft.ContainerService/managedClusters/…');
  return { subscriptionId: m[1]!, resourceGroup: m[2]!, name: m[3]! };
}

/**
 * A KubeConfig provider for AKS: the user kubeconfig is fetched once (it holds the server and CA,
 * not a secret once the exec user is dropped); the token is cached and refreshed.
 */
export function aksKubeConfig(opts: {
  resourceId: string;
  credential: TokenCredential;
  client: AksCredentialsClient;
  now?: () => number;
}): () => Promise<KubeConfig> {
  const { resourceGroup, name } = parseAksResourceId(opts.resourceId);
  const token = tokenCache(opts.credential, AKS_SCOPE, opts.now);
  let yaml: Promise<string> | undefined;
  return async () => {
    yaml ??= opts.client.listClusterUserCredentials(resourceGroup, name).then((r) => {
      const bytes = r.kubeconfigs?.[0]?.value;
      if (!bytes) throw new Error('listClusterUserCredentials returned no kubeconfig');
      return new TextDecoder().decode(bytes);
    });
    try {
      return withBearerToken(await yaml, await token());
    } catch (e) {
      yaml = undefined;
      throw e;
    }
  };
}
