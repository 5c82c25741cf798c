/**
 * What Terraform grants the deployer's identity: every azurerm_role_assignment of infra/modules/rbac
 * whose principal is the function app, evaluated from the HCL, with the permissions of its role —
 * custom roles from their HCL definition, built-in ones from Microsoft's published definitions
 * (test/fixtures/azure-roles). And the three checks against the operation table.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ACR, AKS, APP_INSIGHTS, STORAGE, VAULT, WORKSPACE, type Kind, type Operation } from './azure-operations.js';
import { childScope, defaults, evaluate, loadModule, str, Unknown, type Scope, type Value } from './hcl.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const infra = join(root, 'infra');

export interface Permissions {
  actions: string[];
  notActions: string[];
  dataActions: string[];
  notDataActions: string[];
}
export interface Grant {
  resource: string;
  role: string;
  scope: string;
  /** Defined in our HCL: every single permission must be used, not just the role. */
  custom: boolean;
  /** A built-in role missing from test/fixtures/azure-roles. */
  unpublished?: boolean;
  permissions: Permissions;
}

export const glob = (pattern: string, s: string) =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i').test(s);
export const allows = (p: Permissions, kind: Kind, a: string) =>
  kind === 'action'
    ? p.actions.some((x) => glob(x, a)) && !p.notActions.some((x) => glob(x, a))
    : p.dataActions.some((x) => glob(x, a)) && !p.notDataActions.some((x) => glob(x, a));
export const covers = (grantScope: string, scope: string) => scope === grantScope || scope.startsWith(`${grantScope}/`);

export const BUILT_IN = JSON.parse(readFileSync(join(root, 'test/fixtures/azure-roles/built-in-roles.json'), 'utf8')) as {
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
  'module.monitoring.app_insights_id': APP_INSIGHTS,
  'data.azurerm_client_config.current.object_id': 'operator',
};

/** `over`: variables of the root module over the defaults (a tfvars file's, e.g. dev's promotion_environments). */
export async function deployerGrants(over: Record<string, Value> = {}): Promise<Grant[]> {
  const top = await loadModule(infra);
  const rbac = await loadModule(join(infra, 'modules', 'rbac'));
  const vars = {
    ...(await defaults(top)),
    environment: 'prod',
    subscription_id: 'sub',
    github_repository: 'o/r',
    authorized_ip_ranges: [],
    ...over,
  };
  const scope = await childScope({ vars, locals: top.locals, known: KNOWN }, top.modules.rbac, rbac, KNOWN);
  const out: Grant[] = [];
  for (const [name, body] of Object.entries(rbac.resources.azurerm_role_assignment ?? {})) {
    const count = body.count === undefined ? 1 : ((await evaluate(body.count, scope)) as number);
    const each = body.for_each === undefined ? undefined : await evaluate(body.for_each, scope);
    // for_each over a set (key = value) or a map (key → value).
    const entries: [Value | undefined, Value | undefined][] =
      each === undefined
        ? [[undefined, undefined]]
        : Array.isArray(each)
          ? each.map((k) => [k, k])
          : Object.entries(each as Record<string, Value>);
    for (let i = 0; i < count; i++)
      for (const [key, value] of entries) {
        const s: Scope = key === undefined ? scope : { ...scope, bound: { each: { key, value: value ?? key } } };
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
          const m =
            ref instanceof Unknown ? /^azurerm_role_definition\.(\w+)(?:\[[^\]]+\])?\.role_definition_resource_id$/.exec(ref.ref) : null;
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

export const merge = (ps: Permissions[]): Permissions => ({
  actions: ps.flatMap((p) => p.actions),
  notActions: ps.flatMap((p) => p.notActions),
  dataActions: ps.flatMap((p) => p.dataActions),
  notDataActions: ps.flatMap((p) => p.notDataActions),
});

/** Operations no grant allows, as sentences. */
export function missingGrants(ops: Operation[], gs: Grant[]): string[] {
  return ops.flatMap((op) =>
    op.needs
      .filter((n) => !gs.some((g) => covers(g.scope, op.scope) && n.anyOf.some((a) => allows(g.permissions, n.kind, a))))
      .map((n) => `${op.what} (${op.by}) needs ${n.kind} ${n.anyOf.join(' or ')} on ${op.scope}`),
  );
}

/** Grants that allow nothing any operation in their scope needs. */
export function unusedGrants(ops: Operation[], gs: Grant[]): string[] {
  return gs
    .filter(
      (g) => !ops.some((op) => covers(g.scope, op.scope) && op.needs.some((n) => n.anyOf.some((a) => allows(g.permissions, n.kind, a)))),
    )
    .map((g) => `${g.resource}: ${g.role} on ${g.scope}`);
}

/** Permissions of our own custom roles that no operation in scope needs. */
export function unneededPermissions(ops: Operation[], gs: Grant[]): string[] {
  const needed = (g: Grant, kind: Kind, p: string) =>
    ops.some((op) => covers(g.scope, op.scope) && op.needs.some((n) => n.kind === kind && n.anyOf.some((a) => glob(p, a))));
  return gs
    .filter((g) => g.custom)
    .flatMap((g) => [
      ...g.permissions.actions.filter((p) => !needed(g, 'action', p)).map((p) => `${g.role}: action ${p}`),
      ...g.permissions.dataActions.filter((p) => !needed(g, 'data', p)).map((p) => `${g.role}: data action ${p}`),
    ]);
}
