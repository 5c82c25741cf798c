// One deployer serves every environment (infra/README.md, "Several environments"): dev's stack plans
// it, staging's and prod's (deployer_enabled = false in their tfvars) plan no function app and
// nothing that exists only for one — no Event Grid wiring, no deployer pipeline identity, no grants
// to a deployer, no deployer alerts or workbook — and still their cluster, monitoring, alerts,
// registry and guards, and the outputs dev's promotion_environments take from them.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { deployerGrants } from './azure-grants.js';
import {
  childScope,
  defaults,
  evaluate,
  failedValidations,
  loadModule,
  loadTfvars,
  str,
  type Module,
  type Scope,
  type Value,
} from './hcl.js';

const infra = join(fileURLToPath(new URL('../..', import.meta.url)), 'infra');
const ENVS = ['dev', 'staging', 'prod'] as const;
const KNOWN: Record<string, Value> = {
  'module.functionapp.principal_id': 'deployer',
  'module.functionapp.name': 'func-tailspin',
  'module.functionapp.id': '/rg/func',
  'module.functionapp.storage_account_id': '/rg/storage',
  'module.aks.kubelet_object_id': 'kubelet',
  'module.aks.cluster_principal_id': 'aks-control-plane',
  'data.azurerm_client_config.current.object_id': 'operator',
};
// Only dev's stack has a deployer; everything a stack keeps without one.
const SHARED = ['networking', 'monitoring', 'acr', 'aks', 'keyvault', 'rbac', 'pipeline', 'alerts', 'apps_identity', 'guards'];
const DEPLOYER_ONLY = ['functionapp', 'eventgrid', 'workbook'];

let top: Module;
const mods: Record<string, Module> = {};
const tfvars: Record<string, Record<string, Value>> = {};
const rootScope = (env: string): Scope => ({ vars: tfvars[env]!, locals: top.locals, known: KNOWN });

beforeAll(async () => {
  top = await loadModule(infra);
  for (const m of ['rbac', 'pipeline', 'alerts']) mods[m] = await loadModule(join(infra, 'modules', m));
  for (const env of ENVS)
    tfvars[env] = {
      ...(await defaults(top)),
      ...((await loadTfvars(join(infra, 'environments', `${env}.tfvars`))) as Record<string, Value>),
    };
}, 60_000);

/** Instances Terraform would plan of one resource type in a module: count and for_each honoured. */
async function planned(m: Module, type: string, scope: Scope): Promise<{ address: string; body: Record<string, unknown>; s: Scope }[]> {
  const out: { address: string; body: Record<string, unknown>; s: Scope }[] = [];
  for (const [name, body] of Object.entries(m.resources[type] ?? {})) {
    const count = body.count === undefined ? 1 : ((await evaluate(body.count, scope)) as number);
    const each = body.for_each === undefined ? undefined : await evaluate(body.for_each, scope);
    const entries: [Value, Value][] =
      each === undefined ? [] : Array.isArray(each) ? each.map((k) => [k, k]) : Object.entries(each as Record<string, Value>);
    for (let i = 0; i < count; i++) {
      if (each === undefined) out.push({ address: `${type}.${name}${body.count === undefined ? '' : `[${i}]`}`, body, s: scope });
      for (const [key, value] of entries)
        out.push({ address: `${type}.${name}["${str(key)}"]`, body, s: { ...scope, bound: { each: { key, value } } } });
    }
  }
  return out;
}

async function child(env: string, name: string): Promise<Scope> {
  return childScope(rootScope(env), top.modules[name], mods[name]!, KNOWN);
}

describe.each(ENVS)('the %s stack', (env) => {
  const withDeployer = env === 'dev';

  it(
    withDeployer ? 'plans the deployer: function app, Event Grid wiring, workbook' : 'plans no function app, Event Grid wiring or workbook',
    async () => {
      expect(tfvars[env]!.deployer_enabled).toBe(withDeployer);
      for (const m of DEPLOYER_ONLY) expect(await evaluate(top.modules[m].count, rootScope(env)), m).toBe(withDeployer ? 1 : 0);
    },
  );

  it('keeps its cluster, monitoring, standing alerts, registry and guards (no count on them)', () => {
    for (const m of SHARED) expect(top.modules[m], m).toBeDefined();
    for (const m of SHARED) expect(top.modules[m].count, m).toBeUndefined();
  });

  it(
    withDeployer ? 'grants the deployer its roles' : 'grants nothing to a deployer: only the cluster and the operator get roles',
    async () => {
      const assignments = await planned(mods.rbac!, 'azurerm_role_assignment', await child(env, 'rbac'));
      const principals = await Promise.all(assignments.map((a) => evaluate(a.body.principal_id as string, a.s)));
      // No assignment is planned for a principal that does not exist here.
      expect(principals.filter((p) => p === null)).toEqual([]);
      const byPrincipal = new Set(principals.map((p) => str(p)));
      if (withDeployer) {
        expect(byPrincipal.has('deployer')).toBe(true);
        expect(await deployerGrants(tfvars[env])).not.toEqual([]);
      } else {
        expect([...byPrincipal].sort()).toEqual(['aks-control-plane', 'kubelet', 'operator']);
        expect(assignments.map((a) => a.address).filter((a) => a.includes('deployer'))).toEqual([]);
        expect(await deployerGrants(tfvars[env])).toEqual([]);
        // Nor any custom role written for one.
        const defs = await planned(mods.rbac!, 'azurerm_role_definition', await child(env, 'rbac'));
        expect(defs.map((d) => d.address)).toEqual([]);
      }
    },
  );

  it(withDeployer ? 'gives GitHub a deployer identity to publish it' : 'gives GitHub only the plan and infra identities', async () => {
    const s = await child(env, 'pipeline');
    const subjects = (await evaluate(mods.pipeline!.locals.subjects, s)) as Record<string, Value>;
    expect(Object.keys(subjects).sort()).toEqual(withDeployer ? ['deployer', 'infra', 'plan'] : ['infra', 'plan']);
    const assignments = await planned(mods.pipeline!, 'azurerm_role_assignment', s);
    const toDeployer = assignments.filter((a) => String(a.body.principal_id).includes('this["deployer"]'));
    expect(toDeployer.length > 0).toBe(withDeployer);
    expect((await planned(mods.pipeline!, 'azurerm_storage_container', s)).length).toBe(withDeployer ? 1 : 0);
  });

  it(withDeployer ? "alerts on the deployer's own health" : 'plans no alert on a deployer or its Event Grid topic', async () => {
    const s = await child(env, 'alerts');
    const rules = [
      ...(await planned(mods.alerts!, 'azurerm_monitor_scheduled_query_rules_alert_v2', s)),
      ...(await planned(mods.alerts!, 'azurerm_monitor_metric_alert', s)),
    ].map((r) => r.address);
    const deployerRules = rules.filter((r) =>
      /deployer_failures|poison_queue|notification_backlog|release_outcome|metric_alert\.eventgrid/.test(r),
    );
    expect(deployerRules.length > 0).toBe(withDeployer);
    expect(rules.some((r) => r.includes('app_error_rate'))).toBe(true);
  });

  it(
    withDeployer ? 'outputs where the deployer runs' : 'outputs null for the deployer, and what dev’s promotion_environments take from it',
    async () => {
      const out = async (n: string) => evaluate(top.outputs[n].value, rootScope(env));
      for (const n of ['function_app_name', 'function_app_principal_id', 'function_app_url', 'github_webhook_url'])
        expect(await out(n), n).toEqual(withDeployer ? expect.anything() : null);
      expect(await out('aks_kubelet_object_id')).toBe('kubelet');
      expect(top.outputs.log_analytics_workspace_resource_id.value).toBe('${module.monitoring.workspace_id}');
      expect(top.outputs.aks_id.value).toBe('${module.aks.id}');
    },
  );
});

describe('the switch', () => {
  it('promotion_environments without a deployer in the stack is refused', async () => {
    const failed = await failedValidations(top, { ...tfvars.dev!, deployer_enabled: false });
    expect(failed).toEqual([expect.stringContaining('promotion_environments needs this stack')]);
    expect(await failedValidations(top, tfvars.staging!)).toEqual([]);
  });

  it("dev's deployer holds the grants staging's and prod's clusters and workspaces need from it", async () => {
    const grants = await deployerGrants(tfvars.dev);
    const remote = tfvars.dev!.promotion_environments as { aks_id: string; workspace_id: string }[];
    expect(remote.length).toBe(2);
    for (const e of remote) {
      expect(grants.some((g) => g.scope === `${e.aks_id}/namespaces/tail-spin`)).toBe(true);
      expect(grants.some((g) => g.scope === e.aks_id && g.role === 'Azure Kubernetes Service Cluster User Role')).toBe(true);
      expect(grants.some((g) => g.scope === e.workspace_id)).toBe(true);
    }
  });
});
