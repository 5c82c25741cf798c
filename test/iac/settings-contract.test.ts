// The settings contract between infra/ and src/services/config.ts: the app settings Terraform gives
// the function app (read with HashiCorp's HCL parser, evaluated over its syntax tree) are exactly
// the settings config.ts reads — none unread, none it needs missing — and, with the values Azure
// fills in at apply time, they load and compose the app.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, Settings } from '../../src/services/config.js';
import { buildServices } from '../../src/services/compose.js';
import { portsFromConfig } from '../../src/services/adapters/ports-from-config.js';
import { silentLogger } from '../../src/services/logger.js';
import { childScope, defaults, evaluate, loadModule, loadTfvars, str, Unknown, type Module, type Scope, type Value } from './hcl.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const infra = join(root, 'infra');

/** Read by the Functions host, not by the app (learn.microsoft.com/azure/azure-functions/functions-app-settings). */
const HOST_SETTINGS: Record<string, string> = {
  AzureWebJobsStorage__credential: 'identity-based host storage: "managedidentity"',
  APPLICATIONINSIGHTS_CONNECTION_STRING: "the host's own telemetry",
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING:
    'the host sends that telemetry with the managed identity: "Authorization=AAD" (local auth is off)',
};
const FUNCTIONS_WORKER_RUNTIME = 'FUNCTIONS_WORKER_RUNTIME'; // local.settings.json only (func start); Flex sets the runtime itself

/** Optional in config.ts, so the sandbox runs without them; in Azure each one switches on a real system. */
const NEEDED_IN_AZURE = [
  'AzureWebJobsStorage__accountName', // releases and work in the app's storage account, by identity
  'TAILSPIN_SANDBOX', // "off": never start a fake beside real systems
  'TAILSPIN_PUBLIC_URL', // links in statuses and issues
  'ACR_LOGIN_SERVER',
  'ACR_RESOURCE_ID', // builds and scans (ACR Tasks)
  'AKS_RESOURCE_ID', // the cluster
  'LOG_ANALYTICS_WORKSPACE_ID', // the telemetry gate
  'GITHUB_TOKEN', // statuses, deployments, issues
  'GITHUB_REPOSITORY',
  'TAILSPIN_ENVIRONMENTS',
];

const SUB = '6f1c3a52-8a3e-4d3b-9a52-0c0f4b1d2e3f';
const RG = 'rg-sb-aks-01';
/** What Azure gives the references Terraform knows only after apply, in each resource's own format. */
const AZURE_ROOT: Record<string, Value> = {
  'module.acr.login_server': 'tailspinprod1a2b3cacr.azurecr.io',
  'module.acr.id': `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.ContainerRegistry/registries/tailspinprod1a2b3cacr`,
  'module.aks.id': `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.ContainerService/managedClusters/aks-tailspin-prod`,
  'module.monitoring.workspace_customer_id': '0f9a3e7c-6b2d-4c51-8e0a-3d2b1c4f5a69',
  'module.monitoring.app_insights_connection_string':
    'InstrumentationKey=5b7e1d2c-0a4f-4e3b-9c8d-7f6e5d4c3b2a;IngestionEndpoint=https://eastus2-3.in.applicationinsights.azure.com/;ApplicationId=9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
  'module.monitoring.workspace_id': `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.OperationalInsights/workspaces/log-tailspin-prod`,
  'module.keyvault.name': 'kvtailspinprod1a2b3c',
};
const AZURE_FUNCTIONAPP: Record<string, Value> = {
  'azurerm_storage_account.this.name': 'sttailspinprod1a2b3c',
  'azurerm_function_app_flex_consumption.this.default_hostname': 'func-tailspin-prod-1a2b3c.azurewebsites.net',
  'azurerm_function_app_flex_consumption.this.name': 'func-tailspin-prod-1a2b3c',
};
/** App Service replaces each Key Vault reference with the secret (when the identity may read it). */
const SECRETS: Record<string, string> = { 'github-webhook-secret': 'c0ffee'.repeat(10), 'github-token': 'ghs_' + 'x'.repeat(36) };
const KV_REF = /^@Microsoft\.KeyVault\(VaultName=([^;]+);SecretName=([^)]+)\)$/;

const unknowns = (v: Value, at = ''): string[] =>
  v instanceof Unknown
    ? [`${at}: ${v.ref}`]
    : v && typeof v === 'object'
      ? Object.entries(v).flatMap(([k, x]) => unknowns(x, `${at}.${k}`))
      : [];

let rootModule: Module;
let functionApp: Module;
const settingsFor: Record<string, Record<string, Value>> = {};
let deploymentSettings: Value | undefined;

async function appSettings(tfvarsFile: string): Promise<{ settings: Record<string, Value>; scope: Scope }> {
  const vars = {
    ...(await defaults(rootModule)),
    ...((await loadTfvars(join(infra, 'environments', tfvarsFile))) as Record<string, Value>),
  };
  const rootScope: Scope = { vars, locals: rootModule.locals, known: AZURE_ROOT };
  const scope = await childScope(rootScope, rootModule.modules.functionapp, functionApp, AZURE_FUNCTIONAPP);
  const settings = (await evaluate(functionApp.locals.app_settings, scope)) as Record<string, Value>;
  return { settings, scope };
}

beforeAll(async () => {
  rootModule = await loadModule(infra);
  functionApp = await loadModule(join(infra, 'modules', 'functionapp'));
  for (const env of ['dev', 'staging', 'prod']) settingsFor[env] = (await appSettings(`${env}.tfvars`)).settings;
  const { scope } = await appSettings('prod.tfvars');
  const deployment = functionApp.resources.azurerm_resource_group_template_deployment?.app_settings;
  deploymentSettings = deployment ? await evaluate(deployment.parameters_content, scope) : undefined;
}, 60_000);

/** The environment the app process sees in Azure: Key Vault references resolved. */
function resolved(settings: Record<string, Value>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(settings).map(([k, v]) => {
      const ref = KV_REF.exec(str(v));
      return [k, ref ? (SECRETS[ref[2]!] ?? '') : str(v)];
    }),
  );
}

describe.each(['dev', 'staging', 'prod'])('app settings Terraform gives the deployer (%s.tfvars)', (env) => {
  const settings = () => settingsFor[env]!;

  it('are all known once Azure has created the resources', () => {
    expect(unknowns(settings())).toEqual([]);
  });

  it('are all read, by config.ts or by the Functions host', () => {
    const read = new Set([...Object.keys(Settings.shape), ...Object.keys(HOST_SETTINGS)]);
    expect(Object.keys(settings()).filter((k) => !read.has(k))).toEqual([]);
  });

  it('include everything config.ts requires and everything a real deployment needs', () => {
    const required = Object.entries(Settings.shape)
      .filter(([, schema]) => !schema.safeParse(undefined).success)
      .map(([k]) => k);
    expect(required).toContain('GITHUB_WEBHOOK_SECRET');
    expect([...required, ...NEEDED_IN_AZURE].filter((k) => !(k in settings()))).toEqual([]);
    expect(settings().TAILSPIN_SANDBOX).toBe('off');
    expect(Object.keys(HOST_SETTINGS).filter((k) => !(k in settings()))).toEqual([]);
  });

  it('use identity-based storage and no connection string (azurerm writes one with an empty key)', () => {
    expect(settings()).not.toHaveProperty('AzureWebJobsStorage');
    expect(settings()).toMatchObject({ AzureWebJobsStorage__credential: 'managedidentity' });
  });

  it('load and compose the app, talking to the real systems', () => {
    const config = loadConfig(resolved(settings()));
    expect(config.storage).toEqual({ accountName: AZURE_FUNCTIONAPP['azurerm_storage_account.this.name'] });
    expect(config.TAILSPIN_PUBLIC_URL).toBe('https://func-tailspin-prod-1a2b3c.azurewebsites.net');
    expect(portsFromConfig(config, { logger: silentLogger, clock: { now: () => new Date() } }).configured).toEqual({
      cluster: true,
      acr: true,
      telemetry: true,
      github: true,
    });
    const services = buildServices(config, { logger: silentLogger });
    expect(services.config.catalog.apps.every((a) => a.environments.includes(env))).toBe(true);
  });

  it('would not start with the setting azurerm injects, and the error names it', () => {
    const injected = `DefaultEndpointsProtocol=https;AccountName=${str(settings().AzureWebJobsStorage__accountName)};AccountKey=;EndpointSuffix=core.windows.net`;
    const run = () => loadConfig({ ...resolved(settings()), AzureWebJobsStorage: injected });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(/AzureWebJobsStorage: has an empty AccountKey/);
  });

  it('would not start with an unresolved Key Vault reference (no access to the vault)', () => {
    const raw = Object.fromEntries(Object.entries(settings()).map(([k, v]) => [k, str(v)]));
    expect(() => loadConfig(raw)).toThrow(/GITHUB_WEBHOOK_SECRET: is an unresolved Key Vault reference/);
  });
});

describe('the settings in Azure are the ones above, and only those', () => {
  it('an ARM PUT of sites/config/appsettings writes exactly local.app_settings after every change of the app', () => {
    const deployment = functionApp.resources.azurerm_resource_group_template_deployment?.app_settings;
    expect(deployment, 'azurerm_resource_group_template_deployment.app_settings').toBeDefined();
    expect(deploymentSettings).toMatchObject({ settings: { value: settingsFor.prod } });
    const template = JSON.stringify(deployment.template_content);
    expect(template).toContain('Microsoft.Web/sites/config');
    expect(template).toContain("format('{0}/appsettings', parameters('site'))");
    expect(template).toContain('secureObject');
    const lifecycle = deployment.lifecycle[0];
    expect(lifecycle.replace_triggered_by).toEqual(['${azurerm_function_app_flex_consumption.this}']);
    const app = functionApp.resources.azurerm_function_app_flex_consumption?.this;
    expect(app.lifecycle[0].ignore_changes).toEqual(['${app_settings}']);
  });

  it('destroying that deployment leaves the settings resource alone (it cannot be deleted on its own)', () => {
    const features = rootModule.providers.azurerm.features[0];
    expect(features.template_deployment[0].delete_nested_items_during_deletion).toBe(false);
  });

  it('tfvars add only settings config.ts reads', async () => {
    for (const env of ['dev', 'staging', 'prod']) {
      const tfvars = await loadTfvars(join(infra, 'environments', `${env}.tfvars`));
      const extra = Object.keys((tfvars.deployer_settings ?? {}) as object);
      expect(extra.filter((k) => !(k in Settings.shape))).toEqual([]);
    }
  });
});

describe('the documented settings are exactly the ones config.ts reads', () => {
  const names = Object.keys(Settings.shape).sort();

  it('local.settings.sample.json', () => {
    const sample = JSON.parse(readFileSync(join(root, 'local.settings.sample.json'), 'utf8')) as { Values: Record<string, string> };
    const keys = Object.keys(sample.Values).filter((k) => !k.startsWith('#') && k !== FUNCTIONS_WORKER_RUNTIME);
    expect(keys.sort()).toEqual(names);
  });

  it("README's configuration table", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 5));
    const rows = [...section.matchAll(/^\| `([A-Za-z0-9_]+)` \|/gm)].map((m) => m[1]!);
    expect(rows.sort()).toEqual(names);
  });
});
