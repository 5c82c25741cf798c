/**
 * Every Azure operation the deployer performs (its adapters, and the Functions host and App Service
 * on its behalf), with the Azure RBAC permission Azure's documentation gives for it, at the resource
 * it acts on. Scopes are symbolic paths (`/aks/namespaces/tail-spin`); azure-grants.ts maps the
 * Terraform role assignments onto the same paths.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { defaultCatalog } from '../../src/services/domain/catalog.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

export type Kind = 'action' | 'data';
export interface Need {
  kind: Kind;
  /** Any one of these is enough (Azure accepts either for the operation). */
  anyOf: string[];
}
export interface Operation {
  what: string;
  /** Where in the code (file and call), or who calls on the app's behalf. */
  by: string;
  /** The resource it acts on, as a scope path built from the symbolic ids below. */
  scope: string;
  needs: Need[];
}

const action = (...anyOf: string[]): Need => ({ kind: 'action', anyOf });
const data = (...anyOf: string[]): Need => ({ kind: 'data', anyOf });
export const ACR = '/acr';
export const AKS = '/aks';
/** The namespace the catalog deploys to: the only one the deployer may touch. */
export const NAMESPACE = `${AKS}/namespaces/${defaultCatalog('o/r', 'main', ['prod']).apps[0]!.namespace}`;
export const STORAGE = '/storage';
export const WORKSPACE = '/workspace';
export const VAULT = '/keyvault';
export const APP_INSIGHTS = '/appinsights';
const Q = 'Microsoft.Storage/storageAccounts/queueServices/queues';
const T = 'Microsoft.Storage/storageAccounts/tableServices/tables';
const B = 'Microsoft.Storage/storageAccounts/blobServices/containers';

/** Every Azure operation, with the permission Azure's documentation gives for it. */
export const OPERATIONS: Operation[] = [
  {
    what: 'schedule an ACR Task run (build, Trivy scan)',
    by: 'adapters/acr/runs.ts registries.beginScheduleRunAndWait',
    scope: ACR,
    needs: [action('Microsoft.ContainerRegistry/registries/scheduleRun/action')],
  },
  {
    what: 'read a run',
    by: 'adapters/acr/runs.ts runs.get',
    scope: ACR,
    needs: [action('Microsoft.ContainerRegistry/registries/runs/read')],
  },
  {
    what: "a run's log link",
    by: 'adapters/acr/runs.ts runs.getLogSasUrl',
    scope: ACR,
    needs: [action('Microsoft.ContainerRegistry/registries/runs/listLogSasUrl/action')],
  },
  {
    what: 'add latest / vX.Y.Z to a digest the gate passed (importImage within the registry)',
    by: 'adapters/acr/tags.ts registries.beginImportImageAndWait',
    scope: ACR,
    needs: [action('Microsoft.ContainerRegistry/registries/importImage/action')],
  },
  {
    what: "an image's org.opencontainers.image.revision label (token exchange, GET manifest and config blob)",
    by: 'adapters/acr/labels.ts /oauth2/exchange, /oauth2/token, /v2/…/manifests, /v2/…/blobs',
    scope: ACR,
    needs: [action('Microsoft.ContainerRegistry/registries/pull/read')],
  },
  {
    what: 'resolve a tag to a digest (Entra token exchange, HEAD manifest)',
    by: 'adapters/acr/registry.ts /oauth2/exchange, /oauth2/token, /v2/…/manifests',
    scope: ACR,
    needs: [action('Microsoft.ContainerRegistry/registries/pull/read')],
  },
  {
    what: "read a digest's cosign signatures (referrers, the sha256-<hex>.sig tag, payload blobs) for the signature gate",
    by: 'adapters/acr/signatures.ts /v2/…/referrers, /v2/…/manifests, /v2/…/blobs (same token exchange)',
    scope: ACR,
    needs: [action('Microsoft.ContainerRegistry/registries/pull/read')],
  },
  {
    what: "the cluster's user kubeconfig",
    by: 'adapters/kubernetes/index.ts managedClusters.listClusterUserCredentials',
    scope: AKS,
    needs: [action('Microsoft.ContainerService/managedClusters/listClusterUserCredential/action')],
  },
  {
    what: 'query AppRequests (verification)',
    by: 'adapters/monitor/telemetry.ts queryWorkspace',
    scope: WORKSPACE,
    needs: [
      action('Microsoft.OperationalInsights/workspaces/query/read'),
      action('Microsoft.OperationalInsights/workspaces/query/AppRequests/read'),
    ],
  },
  ...[WORKSPACE, AKS].map((scope) => ({
    what: "firing Azure Monitor alerts on the environment's resources (promotion waits while one fires)",
    by: 'adapters/alerts/index.ts GET …/providers/Microsoft.AlertsManagement/alerts?targetResource=…',
    scope,
    needs: [action('Microsoft.AlertsManagement/alerts/read')],
  })),
  { what: 'create the release tables', by: 'adapters/storage createTable', scope: STORAGE, needs: [action(`${T}/write`)] },
  {
    what: 'read releases, heads, dedup rows',
    by: 'adapters/storage getEntity, listEntities',
    scope: STORAGE,
    needs: [data(`${T}/entities/read`)],
  },
  {
    what: 'claim a delivery (insert only)',
    by: 'adapters/storage createEntity',
    scope: STORAGE,
    needs: [data(`${T}/entities/add/action`, `${T}/entities/write`)],
  },
  {
    what: 'write releases (ETag compare-and-swap, batches)',
    by: 'adapters/storage upsertEntity, updateEntity, submitTransaction',
    scope: STORAGE,
    needs: [data(`${T}/entities/update/action`, `${T}/entities/write`), data(`${T}/entities/add/action`, `${T}/entities/write`)],
  },
  { what: 'drop a claim or pointer', by: 'adapters/storage deleteEntity', scope: STORAGE, needs: [data(`${T}/entities/delete`)] },
  { what: 'create the work queue', by: 'adapters/storage createIfNotExists', scope: STORAGE, needs: [action(`${Q}/write`)] },
  { what: 'queue health (exists)', by: 'compose.ts queueClient.exists', scope: STORAGE, needs: [action(`${Q}/read`)] },
  {
    what: 'enqueue a tick',
    by: 'adapters/storage sendMessage',
    scope: STORAGE,
    needs: [data(`${Q}/messages/add/action`, `${Q}/messages/write`)],
  },
  {
    what: 'take work (local poller, and the Functions queue trigger in Azure)',
    by: 'adapters/storage receiveMessages; Functions host',
    scope: STORAGE,
    needs: [data(`${Q}/messages/process/action`, `${Q}/messages/read`)],
  },
  { what: 'finish work', by: 'adapters/storage deleteMessage; Functions host', scope: STORAGE, needs: [data(`${Q}/messages/delete`)] },
  { what: 'postpone work', by: 'adapters/storage updateMessage', scope: STORAGE, needs: [data(`${Q}/messages/write`)] },
  {
    what: 'host storage by identity: leases and keys in azure-webjobs-* containers, the Flex app package',
    by: 'Functions host (AzureWebJobsStorage__accountName)',
    scope: STORAGE,
    needs: [action(`${B}/write`), data(`${B}/blobs/read`), data(`${B}/blobs/write`)],
  },
  {
    what: 'send its own telemetry to Application Insights with Entra ID (local authentication is off)',
    by: 'Functions host (APPLICATIONINSIGHTS_AUTHENTICATION_STRING); the OpenTelemetry exporter (services/telemetry)',
    scope: APP_INSIGHTS,
    needs: [data('Microsoft.Insights/Telemetry/Write')],
  },
  {
    what: 'resolve @Microsoft.KeyVault(…) app settings',
    by: 'App Service, with the app identity',
    scope: VAULT,
    needs: [data('Microsoft.KeyVault/vaults/secrets/getSecret/action')],
  },
];

/** Azure RBAC for Kubernetes: the data action behind each verb of the deployer's Role. */
const VERB_ACTION: Record<string, string> = {
  get: 'read',
  list: 'read',
  watch: 'read',
  create: 'write',
  update: 'write',
  patch: 'write',
  delete: 'delete',
};
/** Kind → (group, resource), for the kinds the manifest allow-list accepts. */
export const RESOURCE_OF: Record<string, [string, string]> = {
  Deployment: ['apps', 'deployments'],
  Service: ['', 'services'],
  ConfigMap: ['', 'configmaps'],
  ServiceAccount: ['', 'serviceaccounts'],
  NetworkPolicy: ['networking.k8s.io', 'networkpolicies'],
  HorizontalPodAutoscaler: ['autoscaling', 'horizontalpodautoscalers'],
  PodDisruptionBudget: ['policy', 'poddisruptionbudgets'],
};

export interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}
export const deployerRole = (): Rule[] => {
  const docs = parseAllDocuments(readFileSync(join(root, 'k8s/bootstrap/deployer-rbac.yaml'), 'utf8')).map(
    (d) => d.toJS() as Record<string, unknown>,
  );
  return (docs.find((d) => d.kind === 'Role') as { rules: Rule[] }).rules;
};

/** The deployer's Kubernetes calls through Azure RBAC, from its Role (test/cluster proves the Role). */
export function kubernetesOperations(): Operation[] {
  return deployerRole().flatMap((r) =>
    r.apiGroups.flatMap((g) =>
      r.resources
        // No Azure data action exists for services/proxy: that verb comes from a RoleBinding.
        .filter((res) => res !== 'services/proxy')
        .flatMap((res) =>
          [...new Set(r.verbs.map((v) => VERB_ACTION[v]!))].map((a) => ({
            what: `kubernetes ${a} ${g ? `${g}/` : ''}${res}`,
            by: 'adapters/kubernetes (Role tailspin-deployer)',
            scope: NAMESPACE,
            needs: [data(`Microsoft.ContainerService/managedClusters/${g ? `${g}/` : ''}${res}/${a}`)],
          })),
        ),
    ),
  );
}
