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
import { ALLOWED_KINDS } from '../../src/services/domain/manifests.js';
import {
  ACR,
  AKS,
  APP_INSIGHTS,
  NAMESPACE,
  OPERATIONS,
  RESOURCE_OF,
  STORAGE,
  VAULT,
  WORKSPACE,
  deployerRole,
  kubernetesOperations,
  type Operation,
} from './azure-operations.js';
import { BUILT_IN, deployerGrants, merge, missingGrants, unneededPermissions, unusedGrants, type Grant } from './azure-grants.js';
import { defaults, evaluate, loadModule, loadTfvars } from './hcl.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
let grants: Grant[];

const operations = () => [...OPERATIONS, ...kubernetesOperations()];

beforeAll(async () => {
  grants = await deployerGrants();
}, 60_000);

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
    for (const g of grants) expect([ACR, AKS, NAMESPACE, STORAGE, WORKSPACE, VAULT, APP_INSIGHTS], g.resource).toContain(g.scope);
    for (const g of grants.filter((x) => x.permissions.dataActions.some((a) => a.startsWith('Microsoft.ContainerService/'))))
      expect(g.scope, g.resource).toBe(NAMESPACE);
    // On the cluster resource itself: its user kubeconfig, and reading the alerts that fire on it (nothing else).
    expect(grants.filter((g) => g.scope === AKS).map((g) => (g.custom ? g.permissions.actions : g.role))).toEqual(
      expect.arrayContaining(['Azure Kubernetes Service Cluster User Role', ['Microsoft.AlertsManagement/alerts/read']]),
    );
    expect(grants.filter((g) => g.scope === AKS)).toHaveLength(2);
  });

  it('custom role names carry the stack suffix (role names are unique per tenant)', () => {
    for (const g of grants.filter((x) => x.custom)) expect(g.role).toMatch(/^Tailspin deployer \(tailspin-prod-[0-9a-f]{6}\) - /);
  });
});

describe('one deployer serving several environments (dev.tfvars promotion_environments)', () => {
  type Remote = { name: string; aks_id: string; workspace_id: string; alert_target_ids: string[] };
  let remote: Remote[];
  let withRemote: Grant[];
  beforeAll(async () => {
    const dev = await loadTfvars(join(root, 'infra/environments/dev.tfvars'));
    remote = dev.promotion_environments;
    withRemote = await deployerGrants({ environment: 'dev', promotion_environments: dev.promotion_environments! });
  }, 60_000);

  /** The same calls on each promoted environment's cluster, and the alerts read on each of its resources. */
  const remoteOperations = (): Operation[] =>
    remote.flatMap((e) => [
      ...OPERATIONS.filter((o) => o.scope === AKS && o.needs.some((n) => n.anyOf.some((a) => a.includes('listClusterUserCredential')))).map(
        (o) => ({ ...o, scope: e.aks_id }),
      ),
      ...kubernetesOperations().map((o) => ({ ...o, scope: `${e.aks_id}/namespaces/tail-spin` })),
      ...e.alert_target_ids.map((t) => ({ ...OPERATIONS.find((o) => o.by.startsWith('adapters/alerts'))!, scope: t })),
      // Verification there queries its own workspace (telemetry.workspaceId).
      ...OPERATIONS.filter((o) => o.scope === WORKSPACE && o.by.startsWith('adapters/monitor')).map((o) => ({
        ...o,
        scope: e.workspace_id,
      })),
    ]);

  it('every call on every environment is granted, and nothing more', () => {
    expect(remote.map((e) => e.name)).toEqual(['staging', 'prod']);
    const all = [...operations(), ...remoteOperations()];
    expect(missingGrants(all, withRemote)).toEqual([]);
    expect(unusedGrants(all, withRemote)).toEqual([]);
    expect(unneededPermissions(all, withRemote)).toEqual([]);
  });

  it('Kubernetes rights on their clusters only in the app namespace; on the cluster resource only the kubeconfig and alerts', () => {
    for (const e of remote) {
      const on = withRemote.filter((g) => g.scope === e.aks_id || g.scope.startsWith(`${e.aks_id}/`));
      expect(on.map((g) => [g.scope, g.custom ? g.permissions.actions.concat(g.permissions.dataActions).length : g.role]).sort()).toEqual(
        [
          [e.aks_id, 'Azure Kubernetes Service Cluster User Role'],
          [e.aks_id, 1],
          [`${e.aks_id}/namespaces/tail-spin`, expect.any(Number)],
        ].sort(),
      );
    }
  });

  it('the deployer may read alerts on exactly the resources its promotion graph names (alertTargets ↔ role assignments)', async () => {
    const top = await loadModule(join(root, 'infra'));
    const dev = await loadTfvars(join(root, 'infra/environments/dev.tfvars'));
    const graph = (await evaluate(top.locals.promotion_graph, {
      vars: { ...(await defaults(top)), ...dev },
      locals: top.locals,
      known: { 'module.monitoring.workspace_id': WORKSPACE, 'module.aks.id': AKS },
    })) as { environments: { alertTargets: string[] }[] };
    const targets = graph.environments.flatMap((e) => e.alertTargets).sort();
    const readers = withRemote.filter((g) => g.custom && g.permissions.actions.includes('Microsoft.AlertsManagement/alerts/read'));
    expect(readers.map((g) => g.scope).sort()).toEqual(targets);
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
