// The apps' side of the telemetry gate and of the registry: every app the deployer verifies reports
// to Application Insights under the role name the deployer queries, with the connection string
// Terraform outputs (a Secret the guide creates; the pod refuses to start without it rather than
// run unseen), and its manifest names the registry the sandbox serves, which the guide replaces
// with the one Terraform creates.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { defaultCatalog } from '../../src/services/domain/catalog.js';
import { loadConfig } from '../../src/services/config.js';
import { defaults, evaluate, loadModule, loadTfvars, type Value } from './hcl.js';
import { PromotionGraphSpec } from '../../src/services/promotion/graph.js';
import type { Obj } from './network-policy.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const appsDir = join(root, 'k8s/apps');
const docs: Obj[] = readdirSync(appsDir)
  .filter((f) => /\.ya?ml$/.test(f))
  .flatMap((f) => parseAllDocuments(readFileSync(join(appsDir, f), 'utf8')).map((d) => d.toJS() as Obj))
  .filter(Boolean);
const catalog = defaultCatalog('tailspin/tailspin-toys', 'main', ['prod']);
const guide = readFileSync(join(root, 'docs/azure-deployment.md'), 'utf8');
const SECRET = 'tailspin-telemetry';
const KEY = 'APPLICATIONINSIGHTS_CONNECTION_STRING';

/** The environment a container gets: its env entries and every ConfigMap it loads with envFrom. */
function environment(dep: Obj, container: string): Record<string, unknown> {
  const c = (dep.spec.template.spec.containers as Obj[]).find((x) => x.name === container)!;
  const env: Record<string, unknown> = {};
  for (const from of (c.envFrom ?? []) as Obj[]) {
    const cm = docs.find((d) => d.kind === 'ConfigMap' && d.metadata.name === from.configMapRef?.name);
    Object.assign(env, cm?.data ?? {});
  }
  for (const e of (c.env ?? []) as Obj[]) env[e.name as string] = e.value ?? e.valueFrom;
  return env;
}

describe.each(catalog.apps)('$name', (app) => {
  const dep = () => docs.find((d) => d.kind === 'Deployment' && d.metadata.name === app.deployment)!;

  it('reports under the role name the deployer queries (OTEL_SERVICE_NAME = telemetryRole)', () => {
    expect(environment(dep(), app.container).OTEL_SERVICE_NAME).toBe(app.telemetryRole);
  });

  it('gets the connection string from the Secret, required', () => {
    expect(environment(dep(), app.container)[KEY]).toEqual({ secretKeyRef: { name: SECRET, key: KEY } });
  });

  it('authenticates its telemetry as the federated identity: workload identity on, the client id from the Secret', () => {
    // Application Insights' local auth is off (#16): a connection string alone is refused.
    expect(dep().spec.template.metadata.labels['azure.workload.identity/use']).toBe('true');
    expect(environment(dep(), app.container).AZURE_CLIENT_ID).toEqual({ secretKeyRef: { name: SECRET, key: 'AZURE_CLIENT_ID' } });
    // No per-environment value in the manifest: a placeholder annotation would overwrite the real one on every manifest release.
    const sa = docs.find((d) => d.kind === 'ServiceAccount' && d.metadata.name === dep().spec.template.spec.serviceAccountName);
    expect(sa?.metadata.annotations?.['azure.workload.identity/client-id']).toBeUndefined();
  });

  it("pulls from the sandbox's registry, the placeholder the guide replaces", () => {
    const image = (dep().spec.template.spec.containers as Obj[]).find((c) => c.name === app.container)?.image as string;
    const sandboxRegistry = loadConfig({
      AzureWebJobsStorage: 'UseDevelopmentStorage=true',
      GITHUB_WEBHOOK_SECRET: 'x'.repeat(16),
    }).ACR_LOGIN_SERVER;
    expect(image.split('/')[0]).toBe(sandboxRegistry);
    expect(image).toBe(`${sandboxRegistry}/${app.acrRepository}:latest`);
  });
});

describe('the guide and Terraform agree with the manifests', () => {
  it('Terraform outputs the role names the catalog queries', async () => {
    const infra = await loadModule(join(root, 'infra'));
    expect(infra.outputs.app_cloud_role_names.value).toEqual(catalog.apps.map((a) => a.telemetryRole));
  });

  it('the guide creates the Secret from the Terraform output, before the first release', () => {
    const create = guide.indexOf(`kubectl -n tail-spin create secret generic ${SECRET}`);
    expect(create).toBeGreaterThan(0);
    expect(guide.slice(create, create + 300)).toContain(
      `--from-literal=${KEY}="$(terraform -chdir=infra output -raw app_insights_connection_string)"`,
    );
    expect(create).toBeLessThan(guide.indexOf('## 8. First release'));
  });

  it("the guide puts the apps' telemetry identity in the same Secret, from the output Terraform federates", async () => {
    const infra = await loadModule(join(root, 'infra'));
    expect(infra.outputs.apps_telemetry_client_id.value).toBe('${module.apps_identity.client_id}');
    const create = guide.indexOf(`kubectl -n tail-spin create secret generic ${SECRET}`);
    expect(guide.slice(create, create + 400)).toContain(
      '--from-literal=AZURE_CLIENT_ID="$(terraform -chdir=infra output -raw apps_telemetry_client_id)"',
    );
  });

  it('the guide replaces the placeholder registry with the one Terraform creates', () => {
    expect(guide).toContain('sed "s#tailspinacr.azurecr.io/#$ACR/#"');
    expect(guide).toContain('ACR=$(terraform -chdir=infra output -raw acr_login_server)');
  });
});

describe('the promotion graph Terraform writes into the app settings (TAILSPIN_PROMOTION)', () => {
  const SUB = '00000000-0000-0000-0000-000000000000';
  const known = {
    'module.monitoring.workspace_id': `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/log-home`,
    'module.aks.id': `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks-home`,
  };
  const graphOf = async (env: string) => {
    const infra = await loadModule(join(root, 'infra'));
    const tfvars = await loadTfvars(join(root, 'infra/environments', `${env}.tfvars`));
    const vars = { ...(await defaults(infra)), ...(tfvars as Record<string, Value>) };
    const settings = (await evaluate(infra.locals.app_settings, { vars, locals: infra.locals, known })) as Record<string, Value>;
    // jsonencode: the app reads the text; the deployer's own schema must take it.
    return {
      tfvars,
      graph: PromotionGraphSpec.parse(JSON.parse(JSON.stringify(settings.TAILSPIN_PROMOTION))),
      root: settings.TAILSPIN_ENVIRONMENTS,
    };
  };

  it('dev: the root (its workspace and cluster hold promotions while their alerts fire), then every promoted environment on its own cluster', async () => {
    const { tfvars, graph, root: first } = await graphOf('dev');
    const remote = tfvars.promotion_environments as {
      name: string;
      from: string;
      aks_id: string;
      workspace_customer_id: string;
      alert_target_ids: string[];
      freeze: string[];
    }[];
    expect(first).toBe('dev');
    expect(graph.environments.map((e) => [e.name, e.from ?? null, e.policy?.kind ?? null])).toEqual([
      ['dev', null, null],
      ['staging', 'dev', 'auto'],
      ['prod', 'staging', 'approval'],
    ]);
    expect(graph.environments[0]?.alertTargets).toEqual([known['module.monitoring.workspace_id'], known['module.aks.id']]);
    for (const e of remote) {
      const g = graph.environments.find((x) => x.name === e.name)!;
      expect(g.cluster).toEqual({ aksResourceId: e.aks_id });
      expect(g.telemetry?.workspaceId).toBe(e.workspace_customer_id);
      expect(g.alertTargets).toEqual(e.alert_target_ids);
      expect(g.freeze).toEqual(e.freeze);
    }
  });

  it.each(['staging', 'prod'])('%s on its own: one environment, nothing promoted', async (env) => {
    const { graph, root: first } = await graphOf(env);
    expect(first).toBe(env);
    expect(graph.environments.map((e) => e.name)).toEqual([env]);
  });
});
