// Resource names, for every name_prefix and environment the variables' validations accept: each
// fits Azure's naming rules for its type, and every globally unique name (storage, vault, registry,
// function app host) and every custom role name (unique per tenant) differs between two
// subscriptions. The names are computed from the HCL itself (test/iac/hcl.ts), not restated here.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { childScope, defaults, evaluate, failedValidations, loadModule, str, type Module, type Scope, type Value } from './hcl.js';

const infra = fileURLToPath(new URL('../../infra', import.meta.url));

/** Azure's rules per resource type (learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules). */
const RULES: Record<string, { re: RegExp; max: number; global?: true; why: string }> = {
  azurerm_storage_account: { re: /^[a-z0-9]{3,24}$/, max: 24, global: true, why: '3-24 lowercase letters and digits' },
  azurerm_key_vault: {
    re: /^(?!.*--)[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/,
    max: 24,
    global: true,
    why: '3-24 letters, digits, single hyphens; starts with a letter',
  },
  azurerm_container_registry: { re: /^[a-zA-Z0-9]{5,50}$/, max: 50, global: true, why: '5-50 letters and digits' },
  azurerm_function_app_flex_consumption: {
    re: /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,58}[a-zA-Z0-9])?$/,
    max: 60,
    global: true,
    why: '2-60, letters, digits, hyphens (<name>.azurewebsites.net is global)',
  },
  azurerm_service_plan: { re: /^[a-zA-Z0-9-]{1,60}$/, max: 60, why: '1-60' },
  azurerm_kubernetes_cluster: { re: /^[a-zA-Z0-9](?:[a-zA-Z0-9_-]{0,61}[a-zA-Z0-9])?$/, max: 63, why: '1-63' },
  azurerm_log_analytics_workspace: { re: /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{2,61}[a-zA-Z0-9])$/, max: 63, why: '4-63' },
  azurerm_resource_group_template_deployment: { re: /^[-\w.()]{1,64}$/, max: 64, why: '1-64' },
  azurerm_role_definition: { re: /^.{1,512}$/, max: 512, why: 'unique per tenant' },
};

let root: Module;
const children: Record<string, Module> = {};

async function names(vars: Record<string, Value>): Promise<{ type: string; at: string; name: string }[]> {
  const rootScope: Scope = { vars, locals: root.locals };
  const out: { type: string; at: string; name: string }[] = [];
  for (const [call, body] of Object.entries(root.modules)) {
    const child = (children[call] ??= await loadModule(join(infra, String(body.source))));
    const scope = await childScope(rootScope, body, child);
    for (const [type, byName] of Object.entries(child.resources)) {
      if (!RULES[type]) continue;
      for (const [n, r] of Object.entries(byName)) {
        // One instance per key: named with a sample key (the part the key adds is the same for every stack).
        const s: Scope = r.for_each === undefined ? scope : { ...scope, bound: { each: { key: 'k', value: 'k' } } };
        out.push({ type, at: `module.${call}.${type}.${n}`, name: str(await evaluate(r.name, s)) });
      }
    }
    const aks = child.resources.azurerm_kubernetes_cluster?.this;
    if (aks) out.push({ type: 'dns_prefix', at: `module.${call}.dns_prefix`, name: str(await evaluate(aks.dns_prefix, scope)) });
  }
  return out;
}

const word = (n: number, first = 'x', rest = '9') => first + rest.repeat(n - 1);

async function baseVars(over: Record<string, Value>): Promise<Record<string, Value>> {
  return {
    ...(await defaults(root)),
    subscription_id: '6f1c3a52-8a3e-4d3b-9a52-0c0f4b1d2e3f',
    github_repository: 'tailspin/tailspin-toys',
    authorized_ip_ranges: [],
    api_server_open_to_internet: true,
    ...over,
  };
}

beforeAll(async () => {
  root = await loadModule(infra);
}, 60_000);

describe('environment and prefix validations', () => {
  it.each([
    ['staging', 'tailspin', true],
    ['dev', 'tailspin', true],
    ['prod2026', 'tailspin', true], // 8 + 8 = 16: the longest pair
    ['prod2026', 'tailspin1', false], // 17
    ['stagingxx', 'tsp', false], // environment longer than 8
    ['Prod', 'tailspin', false],
    ['prod', 'Tail', false],
    ['prod', 't', false],
  ])('environment %s with prefix %s accepted: %s', async (environment, name_prefix, ok) => {
    expect((await failedValidations(root, await baseVars({ environment, name_prefix }))).length === 0).toBe(ok);
  });

  it('the API server is closed unless authorized ranges are given or the opt-out is explicit', async () => {
    const rangesFailed = async (ranges: Value, open: boolean) =>
      (
        await failedValidations(
          root,
          await baseVars({ environment: 'prod', authorized_ip_ranges: ranges, api_server_open_to_internet: open }),
        )
      ).length > 0;
    expect(await rangesFailed([], false)).toBe(true);
    expect(await rangesFailed([], true)).toBe(false);
    expect(await rangesFailed(['203.0.113.0/24'], false)).toBe(false);
    expect(await rangesFailed(['203.0.113.0/33'], false)).toBe(true);
    expect(root.variables.authorized_ip_ranges.default).toBeUndefined(); // required: no silent default
    expect(root.variables.grant_operator_cluster_admin.default).toBe(false);
  });
});

describe('names for every accepted prefix and environment', () => {
  it('fit their resource type, at every length the validations allow', async () => {
    const problems: string[] = [];
    let accepted = 0;
    for (let p = 1; p <= 12; p++)
      for (let e = 1; e <= 10; e++) {
        const vars = await baseVars({ name_prefix: word(p, 'p'), environment: word(e, 'e') });
        if ((await failedValidations(root, vars)).length > 0) continue;
        accepted++;
        for (const n of await names(vars)) {
          const rule = n.type === 'dns_prefix' ? { re: /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,52}[a-zA-Z0-9])?$/, why: '1-54' } : RULES[n.type]!;
          if (!rule.re.test(n.name)) problems.push(`${n.at} = ${n.name} (${n.name.length}): ${rule.why}`);
        }
      }
    expect(accepted).toBeGreaterThan(40);
    expect(problems).toEqual([]);
  });

  it('globally unique names and custom role names differ between two subscriptions', async () => {
    const a = await names(await baseVars({ environment: 'prod' }));
    const b = await names(await baseVars({ environment: 'prod', subscription_id: '0d5e2b1c-7f3a-4e9d-8c6b-5a4f3e2d1c0b' }));
    const global = a.filter((n) => RULES[n.type]?.global || n.type === 'azurerm_role_definition');
    expect(global.map((n) => n.type)).toEqual(
      expect.arrayContaining([
        'azurerm_storage_account',
        'azurerm_key_vault',
        'azurerm_container_registry',
        'azurerm_function_app_flex_consumption',
        'azurerm_role_definition',
      ]),
    );
    for (const n of global) expect(b.find((x) => x.at === n.at)?.name, n.at).not.toBe(n.name);
  });

  it('the longest accepted names still fit (the case that overflowed the Key Vault before)', async () => {
    const all = await names(await baseVars({ environment: 'staging', name_prefix: 'tailspin' }));
    const vault = all.find((n) => n.type === 'azurerm_key_vault')!;
    expect(vault.name.length).toBeLessThanOrEqual(24);
    expect(vault.name).toMatch(/^kvtailspinstaging[0-9a-f]{6}$/);
  });
});
