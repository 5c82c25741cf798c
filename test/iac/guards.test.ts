// Audit and cost guards as Terraform writes them: the audit categories that reach Log Analytics, the
// workspace's cap and Entra-only access, the budget's notices, the locks (on in prod), and the apps'
// Entra-only telemetry identity trusted for exactly the ServiceAccounts the manifests run as.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { telemetryOptionsFromConfig } from '../../src/services/adapters/monitor/index.js';
import { childScope, defaults, evaluate, loadModule, loadTfvars, type Module, type Scope, type Value } from './hcl.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const infra = join(root, 'infra');
let top: Module;
let guards: Module;
let monitoring: Module;
let apps: Module;
const vars: Record<string, Record<string, Value>> = {};
const KNOWN: Record<string, Value> = {
  'azurerm_resource_group.this.id': '/rg',
  'module.keyvault.id': '/rg/kv',
  'module.aks.id': '/rg/aks',
  'module.acr.id': '/rg/acr',
  'module.functionapp.id': '/rg/func',
  'module.monitoring.workspace_id': '/rg/log',
  'module.alerts.action_group_id': '/rg/ag',
};
const scopeOf = async (env: string, extra: Record<string, Value> = {}): Promise<Scope> =>
  childScope({ vars: { ...vars[env]!, ...extra }, locals: top.locals, known: KNOWN }, top.modules.guards, guards, KNOWN);

beforeAll(async () => {
  top = await loadModule(infra);
  guards = await loadModule(join(infra, 'modules', 'guards'));
  monitoring = await loadModule(join(infra, 'modules', 'monitoring'));
  apps = await loadModule(join(infra, 'modules', 'apps-identity'));
  for (const env of ['dev', 'staging', 'prod'])
    vars[env] = {
      ...(await defaults(top)),
      ...((await loadTfvars(join(infra, 'environments', `${env}.tfvars`))) as Record<string, Value>),
    };
}, 60_000);

describe('audit trail into Log Analytics', () => {
  it("AKS's kube-audit-admin and guard, Key Vault's audit events, ACR's logins and repository events, the function app's logs", async () => {
    const kept = async (env: string) => {
      const d = (await evaluate(guards.locals.diagnostics, await scopeOf(env))) as Record<string, { id: string; categories: string[] }>;
      return Object.fromEntries(Object.values(d).map((v) => [v.id, v.categories]));
    };
    const stack = {
      '/rg/aks': ['kube-audit-admin', 'guard'],
      '/rg/kv': ['AuditEvent'],
      '/rg/acr': ['ContainerRegistryLoginEvents', 'ContainerRegistryRepositoryEvents'],
    };
    // The function app's logs where it runs: dev's stack (its deployer serves every environment).
    expect(await kept('dev')).toEqual({ ...stack, '/rg/func': ['FunctionAppLogs'] });
    expect(await kept('prod')).toEqual(stack);
    const setting = guards.resources.azurerm_monitor_diagnostic_setting!.audit;
    expect(setting.log_analytics_workspace_id).toBe('${var.workspace_id}');
    expect(top.modules.guards.workspace_id).toBe('${module.monitoring.workspace_id}');
  });
});

describe('the workspace and Application Insights', () => {
  it('the workspace has a daily cap from a variable and no shared-key access', () => {
    const ws = monitoring.resources.azurerm_log_analytics_workspace!.this;
    expect(ws.daily_quota_gb).toBe('${var.daily_quota_gb}');
    expect(ws.local_authentication_enabled).toBe(false);
    expect(top.modules.monitoring.daily_quota_gb).toBe('${var.log_daily_cap_gb}');
    expect(top.variables.log_daily_cap_gb.default).toBe(1);
  });

  it('Application Insights takes Entra ID telemetry only, unless explicitly opened', () => {
    expect(monitoring.resources.azurerm_application_insights!.this.local_authentication_enabled).toBe(
      '${var.app_insights_local_auth_enabled}',
    );
    expect(top.variables.app_insights_local_auth_enabled.default).toBe(false);
    for (const env of ['dev', 'staging', 'prod']) expect(vars[env]!.app_insights_local_auth_enabled).toBe(false);
  });

  it("the deployer's query path is Entra-only: a bearer token from its identity, never a key (local auth off changes nothing for it)", () => {
    const config = {
      LOG_ANALYTICS_WORKSPACE_ID: '0f9a3e7c-6b2d-4c51-8e0a-3d2b1c4f5a69',
      MONITOR_LOGS_ENDPOINT: 'https://api.loganalytics.azure.com/v1',
      MONITOR_QUERY_TIMEOUT_SECONDS: 30,
    } as Parameters<typeof telemetryOptionsFromConfig>[0];
    expect(() => telemetryOptionsFromConfig(config, {})).toThrow(/needs a credential/);
    const credential = { getToken: () => Promise.resolve({ token: 't', expiresOnTimestamp: Date.now() + 60_000 }) };
    expect(telemetryOptionsFromConfig(config, { credential })?.credential).toBe(credential);
    expect(readFileSync(join(infra, 'main.tf'), 'utf8')).not.toMatch(/MONITOR_LOGS_STATIC_TOKEN|api_key/);
  });

  it("the apps' telemetry identity is trusted for the ServiceAccounts the app Deployments run as, in their namespace", async () => {
    const accounts = ['tailspin-server', 'tailspin-client'].map((app) => {
      const docs = parseAllDocuments(readFileSync(join(root, 'k8s', 'apps', `${app}.yaml`), 'utf8')).map(
        (d) => d.toJS() as { kind: string; metadata: { namespace: string }; spec: { template: { spec: { serviceAccountName: string } } } },
      );
      const dep = docs.find((d) => d.kind === 'Deployment')!;
      return { ns: dep.metadata.namespace, sa: dep.spec.template.spec.serviceAccountName };
    });
    const s = await childScope(
      { vars: vars.prod!, locals: top.locals, known: { 'module.aks.oidc_issuer_url': 'https://issuer/' } },
      top.modules.apps_identity,
      apps,
    );
    const sas = (await evaluate(top.modules.apps_identity.service_accounts, { vars: vars.prod!, locals: top.locals })) as string[];
    expect(sas.sort()).toEqual(accounts.map((a) => a.sa).sort());
    const cred = apps.resources.azurerm_federated_identity_credential!.this;
    for (const a of accounts) {
      expect(await evaluate(cred.subject, { ...s, bound: { each: { key: a.sa, value: a.sa } } })).toBe(
        `system:serviceaccount:${a.ns}:${a.sa}`,
      );
    }
    expect(apps.resources.azurerm_role_assignment!.publish.role_definition_name).toBe('Monitoring Metrics Publisher');
    expect(apps.resources.azurerm_role_assignment!.publish.scope).toBe('${var.app_insights_id}');
  });
});

describe('budget and locks', () => {
  it('a monthly budget of a variable amount with notices at 80 % and 100 % of actual spend, to people and the action group', () => {
    const b = guards.resources.azurerm_consumption_budget_resource_group!.monthly;
    expect(b.amount).toBe('${var.budget_amount}');
    expect(b.time_grain).toBe('Monthly');
    expect(b.dynamic.notification[0].for_each).toBe('${toset([80, 100])}');
    expect(b.dynamic.notification[0].content[0]).toMatchObject({ threshold_type: 'Actual', contact_groups: ['${var.action_group_id}'] });
    expect(top.modules.guards.budget_amount).toBe('${var.monthly_budget}');
    expect(vars.prod!.monthly_budget).toBe(150);
  });

  it('prod locks the resource group, the vault and the state account; dev locks nothing', async () => {
    const locks = async (env: string, extra: Record<string, Value> = {}) =>
      Object.values(
        (await evaluate(guards.resources.azurerm_management_lock!.this.for_each, await scopeOf(env, extra))) as Record<string, string>,
      ).sort();
    expect(await locks('dev')).toEqual([]);
    expect(await locks('prod')).toEqual(['/rg', '/rg/kv']);
    expect(await locks('prod', { state_storage_account_id: '/state' })).toEqual(['/rg', '/rg/kv', '/state']);
    expect(guards.resources.azurerm_management_lock!.this.lock_level).toBe('CanNotDelete');
  });
});
