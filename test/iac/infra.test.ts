// The architecture's numbers as written in infra/. Terraform itself (fmt,
// validate) and checkov run in scripts/iac-check.sh; this test needs no
// provider, so it guards the numbers on every `npm test`.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';

const infra = fileURLToPath(new URL('../../infra', import.meta.url));
const read = (p: string) => readFileSync(join(infra, p), 'utf8');
const variables = read('variables.tf');
const aks = read('modules/aks/main.tf');
const rbac = read('modules/rbac/main.tf');

/** Default value of a root variable, as written. */
function defaultOf(name: string): string | undefined {
  const block = new RegExp(`variable "${name}" \\{([\\s\\S]*?)\\n\\}`).exec(variables)?.[1] ?? '';
  return /default\s*=\s*(.+)/.exec(block)?.[1]?.trim();
}

/** `key = value` inside a .tf file (first match), value as written. */
function attr(text: string, key: string): string | undefined {
  return new RegExp(`^\\s*${key}\\s*=\\s*(.+)$`, 'm').exec(text)?.[1]?.trim();
}

function tfFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? (e.name === '.terraform' ? [] : tfFiles(join(dir, e.name))) : e.name.endsWith('.tf') ? [join(dir, e.name)] : [],
  );
}

describe('infra/ carries the architecture numbers', () => {
  it('network, cluster size, retention and resource group', () => {
    expect(defaultOf('resource_group_name')).toBe('"rg-sb-aks-01"');
    expect(defaultOf('vnet_address_space')).toBe('"10.0.0.0/16"');
    expect(defaultOf('aks_subnet_prefix')).toBe('"10.0.1.0/24"');
    expect(defaultOf('service_cidr')).toBe('"10.1.0.0/16"');
    expect(defaultOf('node_vm_size')).toBe('"Standard_D2s_v3"');
    expect(defaultOf('node_min_count')).toBe('1');
    expect(defaultOf('node_max_count')).toBe('3');
    expect(defaultOf('log_retention_days')).toBe('30');
    expect(attr(read('main.tf'), 'app_namespace')).toBe('"tail-spin"');
  });

  it('AKS: Azure CNI and policy, Entra ID + Azure RBAC, no local accounts, OIDC + workload identity', () => {
    expect(attr(aks, 'network_plugin')).toBe('"azure"');
    expect(attr(aks, 'network_policy')).toBe('"azure"');
    expect(attr(aks, 'azure_rbac_enabled')).toBe('true');
    expect(attr(aks, 'local_account_disabled')).toBe('true');
    expect(attr(aks, 'oidc_issuer_enabled')).toBe('true');
    expect(attr(aks, 'workload_identity_enabled')).toBe('true');
    expect(attr(aks, 'auto_scaling_enabled')).toBe('true');
    expect(aks).toMatch(/identity \{\s*type = "SystemAssigned"/);
    expect(aks).toMatch(/oms_agent \{/);
  });

  it('ACR Premium with AcrPull for the kubelet identity', () => {
    expect(attr(read('modules/acr/main.tf'), 'sku')).toBe('"Premium"');
    expect(attr(read('modules/acr/main.tf'), 'admin_enabled')).toBe('false');
    expect(rbac).toMatch(/"kubelet_acr_pull"[\s\S]*?role_definition_name\s*=\s*"AcrPull"[\s\S]*?principal_id\s*=\s*var\.kubelet_object_id/);
  });

  it('workspace-based web Application Insights', () => {
    const mon = read('modules/monitoring/main.tf');
    expect(attr(mon, 'application_type')).toBe('"web"');
    expect(attr(mon, 'workspace_id')).toBe('azurerm_log_analytics_workspace.this.id');
  });

  it('Flex Consumption, Node 22, system-assigned identity, secrets as Key Vault references', () => {
    const fn = read('modules/functionapp/main.tf');
    expect(attr(fn, 'sku_name')).toBe('"FC1"');
    expect(attr(fn, 'runtime_name')).toBe('"node"');
    expect(attr(fn, 'runtime_version')).toBe('"22"');
    expect(attr(fn, 'shared_access_key_enabled')).toBe('false');
    const main = read('main.tf');
    expect(attr(main, 'GITHUB_WEBHOOK_SECRET')).toMatch(/kv_ref/);
    expect(attr(main, 'GITHUB_TOKEN')).toMatch(/kv_ref/);
    expect(attr(main, 'kv_ref')).toContain('@Microsoft.KeyVault(');
  });

  it('Event Grid: ImagePushed only, retries, dead letters', () => {
    const eg = read('modules/eventgrid/main.tf');
    expect(attr(eg, 'included_event_types')).toBe('["Microsoft.ContainerRegistry.ImagePushed"]');
    expect(eg).toMatch(/retry_policy \{/);
    expect(eg).toMatch(/storage_blob_dead_letter_destination \{/);
    expect(eg).toMatch(/functions\/\$\{var\.function_name\}/);
  });

  it('the deployer identity is never granted anything subscription- or group-wide', () => {
    // modules/pipeline holds the GitHub Actions identities (Terraform apply needs the group) and
    // modules/guards the group's lock and budget: test/iac/pipeline-contract.test.ts and
    // test/iac/guards.test.ts hold those to their scopes.
    const elsewhere = ['pipeline', 'guards'].map((m) => join(infra, 'modules', m));
    for (const file of tfFiles(infra).filter((f) => !elsewhere.some((d) => f.startsWith(d)))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/^\s*scope\s*=\s*(.+)$/gm)) {
        expect(m[1], file).not.toMatch(/subscription|resource_group|azurerm_resource_group/);
      }
    }
    // Kubernetes rights only at the namespace scope.
    expect(rbac).toMatch(/"deployer_k8s_namespace"[\s\S]*?scope\s*=\s*"\$\{var\.aks_id\}\/namespaces\/\$\{var\.namespace\}"/);
    expect(rbac).not.toMatch(/managedClusters\/\*|secrets\/|pods\/exec|\/delete"/);
  });

  it('remote state in rg-terraform-state / tfstate / tailspin-aks.tfstate', () => {
    const versions = read('versions.tf');
    expect(attr(versions, 'resource_group_name')).toBe('"rg-terraform-state"');
    expect(attr(versions, 'container_name')).toBe('"tfstate"');
    expect(attr(versions, 'key')).toBe('"tailspin-aks.tfstate"');
  });

  it('has dev, staging and prod environments', () => {
    const envs = readdirSync(join(infra, 'environments')).filter((f) => f.endsWith('.tfvars'));
    expect(envs.sort()).toEqual(['dev.tfvars', 'prod.tfvars', 'staging.tfvars']);
  });
});
