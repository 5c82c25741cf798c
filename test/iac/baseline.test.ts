// What the sandbox cannot see in Azure, pinned in the HCL: the provider range, a teardown that
// reaches the resource group, the AKS baseline (upgrade windows, tier, API server exposure) and
// the instrumentation outputs the apps' manifests read.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModule, type Module } from './hcl.js';

const infra = fileURLToPath(new URL('../../infra', import.meta.url));
let root: Module;
let aks: Module;

beforeAll(async () => {
  root = await loadModule(infra);
  aks = await loadModule(join(infra, 'modules', 'aks'));
}, 60_000);

describe('provider and teardown', () => {
  it('pins azurerm to 5.x from 5.2 (4.x needed a queue data role for whoever runs Terraform)', () => {
    const providers = root.terraform.flatMap((t) => t.required_providers ?? []);
    expect(providers).toEqual([{ azurerm: { source: 'hashicorp/azurerm', version: '~> 5.2' } }]);
  });

  it('terraform destroy gets through the resource group', () => {
    const features = root.providers.azurerm.features[0];
    // The provider disables Azure's generated "Failure Anomalies" rule and deletes it on destroy…
    expect(features.application_insights).toEqual([{ disable_generated_rule: true }]);
    // …and what else Azure adds to the stack's own group (the Smart Detection action group) goes with it.
    expect(features.resource_group).toEqual([{ prevent_deletion_if_contains_resources: false }]);
  });
});

describe('AKS baseline', () => {
  const cluster = () => aks.resources.azurerm_kubernetes_cluster!.this;

  it('upgrades only in the maintenance window, for both auto-upgrade channels', () => {
    const c = cluster();
    expect(c.automatic_upgrade_channel).toBe('patch');
    expect(c.node_os_upgrade_channel).toBe('NodeImage');
    for (const block of ['maintenance_window_auto_upgrade', 'maintenance_window_node_os']) {
      expect(c[block], block).toEqual([
        expect.objectContaining({ frequency: 'Weekly', interval: 1, duration: '${var.maintenance_window.duration_hours}' }),
      ]);
    }
  });

  it('takes its SKU tier and authorized ranges from variables', () => {
    expect(cluster().sku_tier).toBe('${var.sku_tier}');
    expect(root.modules.aks.sku_tier).toBe('${var.aks_sku_tier}');
    expect(root.modules.aks.authorized_ip_ranges).toBe('${var.authorized_ip_ranges}');
    expect(root.variables.aks_sku_tier.default).toBe('Free');
  });
});

describe('instrumenting the apps', () => {
  it('outputs the Application Insights connection string (sensitive) and the role names the deployer queries', () => {
    expect(root.outputs.app_insights_connection_string).toEqual({
      value: '${module.monitoring.app_insights_connection_string}',
      sensitive: true,
    });
    expect(root.outputs.app_cloud_role_names.value).toEqual(['tailspin-server', 'tailspin-client']);
  });
});
