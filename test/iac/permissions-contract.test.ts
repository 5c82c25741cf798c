// The permissions contract between the adapters and infra/modules/rbac: every Azure operation the
// deployer's code (and the Functions host on its behalf) performs, with the Azure RBAC permission it
// needs, checked against the roles Terraform assigns to the function app's identity — custom roles
// read from the HCL, built-in roles from Microsoft's published definitions
// (test/fixtures/azure-roles, see SOURCES.md there). A call nothing grants fails, and so does a
// grant nothing uses.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ALLOWED_KINDS } from '../../src/services/domain/manifests.js';
import { defaultCatalog } from '../../src/services/domain/catalog.js';
import { childScope, defaults, evaluate, loadModule, str, Unknown, type Module, type Scope, type Value } from './hcl.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const infra = join(root, 'infra');

type Kind = 'action' | 'data';
interface Need {
  kind: Kind;
  /** Any one of these is enough (Azure accepts either for the operation). */
  anyOf: string[];
}
interface Operation {
  what: string;
  /** Where in the code (file and call), or who calls on the app's behalf. */
  by: string;
  /** The resource it acts on, as a scope path built from the symbolic ids below. */
  scope: string;
  needs: Need[];
}

const action = (...anyOf: string[]): Need => ({ kind: 'action', anyOf });
const data = (...anyOf: string[]): Need => ({ kind: 'data', anyOf });
const ACR = '/acr';
const AKS = '/aks';
/** The namespace the catalog deploys to: the only one the deployer may touch. */
const NAMESPACE = `${AKS}/namespaces/${defaultCatalog('o/r', 'main', ['prod']).apps[0]!.namespace}`;
const STORAGE = '/storage';
const WORKSPACE = '/workspace';
const VAULT = '/keyvault';
const Q = 'Microsoft.Storage/storageAccounts/queueServices/queues';
const T = 'Microsoft.Storage/storageAccounts/tableServices/tables';
const B = 'Microsoft.Storage/storageAccounts/blobServices/containers';

/** Every Azure operation, with the permission Azure's documentation gives for it. */
const OPERATIONS: Operation[] = [
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
    what: 'resolve a tag to a digest (Entra token exchange, HEAD manifest)',
    by: 'adapters/acr/registry.ts /oauth2/exchange, /oauth2/token, /v2/…/manifests',
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
const RESOURCE_OF: Record<string, [string, string]> = {
  Deployment: ['apps', 'deployments'],
  Service: ['', 'services'],
  ConfigMap: ['', 'configmaps'],
  ServiceAccount: ['', 'serviceaccounts'],
  NetworkPolicy: ['networking.k8s.io', 'networkpolicies'],
  HorizontalPodAutoscaler: ['autoscaling', 'horizontalpodautoscalers'],
  PodDisruptionBudget: ['policy', 'poddisruptionbudgets'],
};

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}
const deployerRole = (): Rule[] => {
  const docs = parseAllDocuments(readFileSync(join(root, 'k8s/bootstrap/deployer-rbac.yaml'), 'utf8')).map(
    (d) => d.toJS() as Record<string, unknown>,
  );
  return (docs.find((d) => d.kind === 'Role') as { rules: Rule[] }).rules;
};

/** The deployer's Kubernetes calls through Azure RBAC, from its Role (test/cluster proves the Role). */
function kubernetesOperations(): Operation[] {
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

interface Permissions {
  actions: string[];
  notActions: string[];
  dataActions: string[];
  notDataActions: string[];
}
interface Grant {
  resource: string;
  role: string;
  scope: string;
  /** Defined in our HCL: every single permission must be used, not just the role. */
  custom: boolean;
  /** A built-in role missing from test/fixtures/azure-roles. */
  unpublished?: boolean;
  permissions: Permissions;
}

const glob = (pattern: string, s: string) =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i').test(s);
const allows = (p: Permissions, kind: Kind, a: string) =>
  kind === 'action'
    ? p.actions.some((x) => glob(x, a)) && !p.notActions.some((x) => glob(x, a))
    : p.dataActions.some((x) => glob(x, a)) && !p.notDataActions.some((x) => glob(x, a));
const covers = (grantScope: string, scope: string) => scope === grantScope || scope.startsWith(`${grantScope}/`);

const BUILT_IN = JSON.parse(readFileSync(join(root, 'test/fixtures/azure-roles/built-in-roles.json'), 'utf8')) as {
  roleName: string;
  permissions: Permissions[];
}[];

/** Symbolic ids for what the root module wires into rbac (module outputs exist only in Azure). */
const KNOWN: Record<string, Value> = {
  'module.aks.id': AKS,
  'module.aks.cluster_principal_id': 'aks-control-plane',
  'module.aks.kubelet_object_id': 'kubelet',
  'module.networking.aks_subnet_id': '/subnet',
  'module.acr.id': ACR,
  'module.functionapp.principal_id': 'deployer',
  'module.functionapp.storage_account_id': STORAGE,
  'module.monitoring.workspace_id': WORKSPACE,
  'module.keyvault.id': VAULT,
  'data.azurerm_client_config.current.object_id': 'operator',
};

let grants: Grant[];
let rbac: Module;

async function deployerGrants(): Promise<Grant[]> {
  const top = await loadModule(infra);
  rbac = await loadModule(join(infra, 'modules', 'rbac'));
  const vars = {
    ...(await defaults(top)),
    environment: 'prod',
    subscription_id: 'sub',
    github_repository: 'o/r',
    authorized_ip_ranges: [],
  };
  const scope = await childScope({ vars, locals: top.locals, known: KNOWN }, top.modules.rbac, rbac, KNOWN);
  const out: Grant[] = [];
  for (const [name, body] of Object.entries(rbac.resources.azurerm_role_assignment ?? {})) {
    const count = body.count === undefined ? 1 : ((await evaluate(body.count, scope)) as number);
    const keys = body.for_each === undefined ? [undefined] : ((await evaluate(body.for_each, scope)) as Value[]);
    for (let i = 0; i < count; i++)
      for (const key of keys) {
        const s: Scope = key === undefined ? scope : { ...scope, bound: { each: { key, value: key } } };
        if ((await evaluate(body.principal_id, s)) !== 'deployer') continue;
        const at = str(await evaluate(body.scope, s));
        const resource = `azurerm_role_assignment.${name}${key === undefined ? '' : `["${str(key)}"]`}`;
        if (body.role_definition_name !== undefined) {
          const role = str(await evaluate(body.role_definition_name, s));
          const def = BUILT_IN.find((r) => r.roleName === role);
          // A role without its published definition grants nothing here and fails its own test.
          out.push({
            resource,
            role,
            scope: at,
            custom: false,
            permissions: merge(def?.permissions ?? []),
            ...(def ? {} : { unpublished: true }),
          });
        } else {
          const ref = await evaluate(body.role_definition_id, s);
          const m = ref instanceof Unknown ? /^azurerm_role_definition\.(\w+)\.role_definition_resource_id$/.exec(ref.ref) : null;
          const defBody = m ? rbac.resources.azurerm_role_definition?.[m[1]!] : undefined;
          if (!defBody) throw new Error(`${resource}: role_definition_id is not a role defined in this module`);
          const perms = (await evaluate(defBody.permissions, s)) as Record<string, string[]>[];
          out.push({
            resource,
            role: str(await evaluate(defBody.name, s)),
            scope: at,
            custom: true,
            permissions: merge(
              perms.map((p) => ({
                actions: p.actions ?? [],
                notActions: p.not_actions ?? [],
                dataActions: p.data_actions ?? [],
                notDataActions: p.not_data_actions ?? [],
              })),
            ),
          });
        }
      }
  }
  return out;
}

const merge = (ps: Permissions[]): Permissions => ({
  actions: ps.flatMap((p) => p.actions),
  notActions: ps.flatMap((p) => p.notActions),
  dataActions: ps.flatMap((p) => p.dataActions),
  notDataActions: ps.flatMap((p) => p.notDataActions),
});

const operations = () => [...OPERATIONS, ...kubernetesOperations()];

beforeAll(async () => {
  grants = await deployerGrants();
}, 60_000);

/** Operations no grant allows, as sentences. */
function missingGrants(ops: Operation[], gs: Grant[]): string[] {
  return ops.flatMap((op) =>
    op.needs
      .filter((n) => !gs.some((g) => covers(g.scope, op.scope) && n.anyOf.some((a) => allows(g.permissions, n.kind, a))))
      .map((n) => `${op.what} (${op.by}) needs ${n.kind} ${n.anyOf.join(' or ')} on ${op.scope}`),
  );
}

/** Grants that allow nothing any operation in their scope needs. */
function unusedGrants(ops: Operation[], gs: Grant[]): string[] {
  return gs
    .filter(
      (g) => !ops.some((op) => covers(g.scope, op.scope) && op.needs.some((n) => n.anyOf.some((a) => allows(g.permissions, n.kind, a)))),
    )
    .map((g) => `${g.resource}: ${g.role} on ${g.scope}`);
}

/** Permissions of our own custom roles that no operation in scope needs. */
function unneededPermissions(ops: Operation[], gs: Grant[]): string[] {
  const needed = (g: Grant, kind: Kind, p: string) =>
    ops.some((op) => covers(g.scope, op.scope) && op.needs.some((n) => n.kind === kind && n.anyOf.some((a) => glob(p, a))));
  return gs
    .filter((g) => g.custom)
    .flatMap((g) => [
      ...g.permissions.actions.filter((p) => !needed(g, 'action', p)).map((p) => `${g.role}: action ${p}`),
      ...g.permissions.dataActions.filter((p) => !needed(g, 'data', p)).map((p) => `${g.role}: data action ${p}`),
    ]);
}

describe('what the deployer calls, and what it is granted', () => {
  it('every built-in role assigned to the deployer has its published definition in the fixture', () => {
    expect(grants.filter((g) => g.unpublished).map((g) => `${g.resource}: ${g.role}`)).toEqual([]);
  });

  it('every operation is granted, at a scope that covers its resource', () => {
    expect(missingGrants(operations(), grants)).toEqual([]);
  });

  it('every role assigned to the deployer serves an operation in its scope', () => {
    expect(unusedGrants(operations(), grants)).toEqual([]);
  });

  it('every permission of the custom roles is one an operation needs', () => {
    expect(unneededPermissions(operations(), grants)).toEqual([]);
  });

  it('the checks have teeth: a dropped grant, a stray grant and a stray permission are each reported', () => {
    const withoutUser = grants.filter((g) => g.role !== 'Azure Kubernetes Service Cluster User Role');
    expect(missingGrants(operations(), withoutUser)).toEqual([
      `the cluster's user kubeconfig (adapters/kubernetes/index.ts managedClusters.listClusterUserCredentials) needs action Microsoft.ContainerService/managedClusters/listClusterUserCredential/action on ${AKS}`,
    ]);
    const queue = BUILT_IN.find((r) => r.roleName === 'Storage Queue Data Contributor')!;
    const stray: Grant = { resource: 'stray', role: queue.roleName, scope: VAULT, custom: false, permissions: merge(queue.permissions) };
    expect(unusedGrants(operations(), [...grants, stray])).toEqual([`stray: Storage Queue Data Contributor on ${VAULT}`]);
    const acrRole = grants.find((g) => g.custom && g.scope === ACR)!;
    const wider = {
      ...acrRole,
      permissions: { ...acrRole.permissions, actions: [...acrRole.permissions.actions, 'Microsoft.ContainerRegistry/registries/read'] },
    };
    expect(unneededPermissions(operations(), [wider])).toEqual([`${acrRole.role}: action Microsoft.ContainerRegistry/registries/read`]);
  });

  it('nothing is granted at subscription or resource-group scope, and Kubernetes rights only in the namespace', () => {
    expect(grants.length).toBeGreaterThan(5);
    for (const g of grants) expect([ACR, AKS, NAMESPACE, STORAGE, WORKSPACE, VAULT], g.resource).toContain(g.scope);
    for (const g of grants.filter((x) => x.permissions.dataActions.some((a) => a.startsWith('Microsoft.ContainerService/'))))
      expect(g.scope, g.resource).toBe(NAMESPACE);
    expect(grants.filter((g) => g.scope === AKS).map((g) => g.role)).toEqual(['Azure Kubernetes Service Cluster User Role']);
  });

  it('custom role names carry the stack suffix (role names are unique per tenant)', () => {
    for (const g of grants.filter((x) => x.custom)) expect(g.role).toMatch(/^Tailspin deployer \(tailspin-prod-[0-9a-f]{6}\) - /);
  });
});

describe('the operation table is complete', () => {
  it('every Azure SDK call in the adapters has a row', () => {
    const src = join(root, 'src/services');
    const files = ['adapters/acr', 'adapters/kubernetes', 'adapters/monitor', 'adapters/storage']
      .flatMap((d) => readdirSync(join(src, d)).map((f) => join(d, f)))
      .concat('compose.ts');
    const calls = new Set<string>();
    const pattern =
      /\bclient\.(registries|runs|managedClusters)\.(\w+)\(|\.(queryWorkspace|queryResource)\(|\b(releases|dedup|table|queue|queueClient|queues)\.(\w+)\(/g;
    for (const f of files.filter((x) => x.endsWith('.ts')))
      for (const m of readFileSync(join(src, f), 'utf8').matchAll(pattern)) calls.add(m[2] ?? m[3] ?? m[5]!);
    const described = OPERATIONS.map((o) => o.by).join(' ');
    const ignored = new Set(['getQueueClient', 'listEntities']); // a client factory; listEntities is in a row with getEntity
    expect([...calls].filter((c) => !ignored.has(c) && !described.includes(c)).sort()).toEqual([]);
    expect(described).toContain('listEntities');
  });

  it('the deployer Role covers every kind the manifest allow-list accepts (else the first one 403s and rolls back)', () => {
    const rules = deployerRole();
    for (const kind of ALLOWED_KINDS) {
      const [group, resource] = RESOURCE_OF[kind] ?? ['?', '?'];
      const rule = rules.find((r) => r.apiGroups.includes(group) && r.resources.includes(resource));
      expect(rule?.verbs, kind).toEqual(expect.arrayContaining(['create', 'patch']));
    }
  });
});
