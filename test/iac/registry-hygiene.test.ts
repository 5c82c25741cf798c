// Registry hygiene as code (issue 15): the purge task, the retention policy, the Trivy cache rules and the
// pinned TRIVY_IMAGE, read from infra/ with HashiCorp's HCL parser and held to the catalog, the scan task
// and the settings config.ts reads.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/services/config.js';
import { defaultCatalog } from '../../src/services/domain/catalog.js';
import { scanTaskYaml } from '../../src/services/adapters/acr/scan-task.js';
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
const LOGIN = 'tailspinprod1a2b3cacr.azurecr.io';
const KNOWN: Record<string, Value> = {
  'module.acr.login_server': LOGIN,
  'module.acr.id': '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/tailspinprod1a2b3cacr',
  'module.aks.id': '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks',
  'module.monitoring.workspace_customer_id': '0f9a3e7c-6b2d-4c51-8e0a-3d2b1c4f5a69',
  'module.keyvault.name': 'kvtailspinprod1a2b3c',
};

let root: Module;
let acr: Module;
let vars: Record<string, Value>;
const rootScope = (over: Record<string, Value> = {}): Scope => ({ vars: { ...vars, ...over }, locals: root.locals, known: KNOWN });
const appSettings = async (over: Record<string, Value> = {}) =>
  (await evaluate(root.locals.app_settings, rootScope(over))) as Record<string, Value>;

beforeAll(async () => {
  root = await loadModule(infra);
  acr = await loadModule(join(infra, 'modules', 'acr'));
  vars = { ...(await defaults(root)), ...((await loadTfvars(join(infra, 'environments', 'prod.tfvars'))) as Record<string, Value>) };
}, 60_000);

describe('the scheduled purge (ACR task with a timer)', () => {
  const purge = async () => {
    const scope = await childScope(rootScope(), root.modules.acr, acr);
    return (await evaluate(acr.locals.purge_task, scope)) as { steps: { cmd: string }[] };
  };

  it('runs on a timer, from the task text above', () => {
    const task = acr.resources.azurerm_container_registry_task?.purge as Record<string, Record<string, unknown>[]>;
    expect(task.timer_trigger).toEqual([expect.objectContaining({ enabled: true, schedule: expect.anything() })]);
    expect(JSON.stringify(task.encoded_step)).toContain('local.purge_task');
  });

  it("looks at exactly the catalog's app repositories: the newest N verified digests kept, candidates by age, then what was left untagged", async () => {
    const [verified, candidates, ...more] = (await purge()).steps;
    expect(more).toEqual([]);
    const apps = defaultCatalog('o/r', 'main', ['dev']).apps.map((a) => a.acrRepository);
    for (const step of [verified!, candidates!]) {
      const filters = [...step.cmd.matchAll(/--filter '([^:]+):([^']+)'/g)].map((m) => m[1]);
      expect(filters.sort()).toEqual([...apps].sort());
    }
    expect(verified!.cmd).toMatch(/^acr purge .* --ago 0d --keep 20 --concurrency/);
    expect(candidates!.cmd).toMatch(/^acr purge .* --ago 30d --untagged --concurrency/);
    expect(candidates!.cmd).not.toMatch(/--keep/);
  });

  it('matches only candidate and per-digest verified tags: latest, semver, signatures and moving tags are never purged', async () => {
    const tagFilters = (await purge()).steps.flatMap((s) => [...s.cmd.matchAll(/--filter '[^:]+:([^']+)'/g)].map((m) => new RegExp(m[1]!)));
    const sha = 'c0ffee0000000000000000000000000000000001';
    expect(tagFilters.some((f) => f.test(sha))).toBe(true);
    expect(tagFilters.some((f) => f.test(`verified-sha256-${'a'.repeat(64)}`))).toBe(true);
    for (const f of tagFilters) {
      for (const kept of ['latest', 'v1.2.3', `sha256-${'a'.repeat(64)}.sig`, 'verified-dev', 'deployed-dev', `${sha}-debug`, `x${sha}`])
        expect(f.test(kept)).toBe(false);
    }
  });

  it('refuses to keep fewer than 3 (rollback targets) or an unreadable --ago', async () => {
    expect(await failedValidations(root, { ...vars, acr_purge_keep: 1 })).toContain(
      'acr_purge_keep must be at least 3 (rollback targets).',
    );
    expect(await failedValidations(root, { ...vars, acr_purge_ago: '1 month' })).toContain(
      'acr_purge_ago is a Go duration in days, hours or minutes, e.g. 30d.',
    );
  });
});

describe('retention and the Trivy cache', () => {
  it('a Premium registry (the SKU retention needs) removes untagged manifests after a retention period', () => {
    const registry = acr.resources.azurerm_container_registry?.this as Record<string, unknown>;
    expect(registry.sku).toBe('Premium');
    expect(registry.retention_policy_in_days).toBeGreaterThan(0);
  });

  it('TRIVY_IMAGE is the cached Trivy pinned by digest in our registry, TRIVY_DB_REPOSITORY the cached DB; the scan task accepts both', async () => {
    const scope = await childScope(rootScope(), root.modules.acr, acr);
    const rules = acr.resources.azurerm_container_registry_cache_rule!;
    const target = async (name: string) => str(await evaluate((rules[name] as Record<string, unknown>).target_repo, scope));
    const source = async (name: string) => str(await evaluate((rules[name] as Record<string, unknown>).source_repo, scope));
    expect(await source('trivy')).toBe('docker.io/aquasec/trivy');
    expect(await source('trivy_db')).toBe('ghcr.io/aquasecurity/trivy-db');
    const s = await appSettings();
    expect(s.TRIVY_IMAGE).toBe(`${LOGIN}/${await target('trivy')}@${str(vars.trivy_image_digest)}`);
    expect(s.TRIVY_IMAGE).toMatch(/@sha256:[a-f0-9]{64}$/);
    expect(s.TRIVY_DB_REPOSITORY).toBe(`${LOGIN}/${await target('trivy_db')}:2`);
    const yaml = scanTaskYaml({
      trivyImage: str(s.TRIVY_IMAGE),
      dbRepository: str(s.TRIVY_DB_REPOSITORY),
      imageRef: `${LOGIN}/tailspin-server@sha256:${'a'.repeat(64)}`,
      stepTimeoutSeconds: 900,
    });
    expect((parse(yaml) as { steps: { cmd: string }[] }).steps[0]!.cmd.startsWith(`${str(s.TRIVY_IMAGE)} -c `)).toBe(true);
    expect(await failedValidations(root, { ...vars, trivy_image_digest: 'latest' })).toContain(
      'trivy_image_digest must be a sha256 digest (sha256:<64 hex>).',
    );
  });
});

describe('the signature gate from Terraform', () => {
  it('is off unless asked, and then reads the public key from Key Vault', async () => {
    const off = await appSettings();
    expect(off.SIGNATURE_POLICY).toBe('off');
    expect(off).not.toHaveProperty('COSIGN_PUBLIC_KEY');
    const on = await appSettings({ signature_policy: 'enforce' });
    expect(on.SIGNATURE_POLICY).toBe('enforce');
    expect(on.COSIGN_PUBLIC_KEY).toBe('@Microsoft.KeyVault(VaultName=kvtailspinprod1a2b3c;SecretName=cosign-public-key)');
    expect(() =>
      loadConfig({
        AzureWebJobsStorage__accountName: 'stx',
        GITHUB_WEBHOOK_SECRET: 'x'.repeat(20),
        SIGNATURE_POLICY: str(on.SIGNATURE_POLICY),
      }),
    ).not.toThrow();
    expect(await failedValidations(root, { ...vars, signature_policy: 'strict' })).toContain(
      'signature_policy must be off, warn or enforce.',
    );
  });
});
