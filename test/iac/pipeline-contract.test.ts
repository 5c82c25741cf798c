// The contract between .github/workflows and infra/modules/pipeline: every job that asks GitHub for an
// OIDC token runs in a GitHub Environment whose subject Terraform trusts (and Terraform trusts no other),
// no workflow holds an Azure secret, every action is pinned to a commit, and each pipeline identity is
// granted only what its job does, where it does it.
import { accessSync, constants, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { childScope, defaults, evaluate, loadModule, str, type Module, type Scope, type Value } from './hcl.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const infra = join(root, 'infra');
const workflowsDir = join(root, '.github', 'workflows');
const REPO = 'tailspin/tailspin-toys';

type Job = {
  environment?: string;
  permissions?: Record<string, string>;
  steps?: { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string> }[];
  env?: Record<string, string>;
};
type Workflow = { on: Record<string, unknown>; permissions?: unknown; jobs: Record<string, Job> };
const workflows: Record<string, Workflow> = Object.fromEntries(
  readdirSync(workflowsDir)
    .filter((f) => f.endsWith('.yml'))
    .map((f) => [f, parse(readFileSync(join(workflowsDir, f), 'utf8')) as Workflow]),
);
const texts: Record<string, string> = Object.fromEntries(
  Object.keys(workflows).map((f) => [f, readFileSync(join(workflowsDir, f), 'utf8')]),
);
const jobs = () => Object.entries(workflows).flatMap(([f, w]) => Object.entries(w.jobs).map(([id, j]) => ({ at: `${f}#${id}`, job: j })));

/** The GitHub Environment names a job can run in, for each environment the stack has. */
function environmentsOf(job: Job, envs: string[]): string[] {
  const e = job.environment ?? '';
  const suffix = /^\$\{\{ [^}]+ \}\}(-[a-z]+)$/.exec(e)?.[1];
  if (!suffix) throw new Error(`environment "${e}" is not "<environment>-<kind>"`);
  return envs.map((x) => `${x}${suffix}`);
}

let top: Module;
let pipeline: Module;
const scopes: Record<string, Scope> = {};
const rootVars: Record<string, Record<string, Value>> = {};
const KNOWN: Record<string, Value> = {
  'azurerm_resource_group.this.id': '/rg',
  'azurerm_resource_group.this.name': 'rg',
  'module.aks.id': '/rg/aks',
  'module.functionapp.id': '/rg/func',
  'module.functionapp.storage_account_id': '/rg/storage',
};

beforeAll(async () => {
  top = await loadModule(infra);
  pipeline = await loadModule(join(infra, 'modules', 'pipeline'));
  for (const environment of ['dev', 'prod']) {
    const vars = {
      ...(await defaults(top)),
      environment,
      subscription_id: 'sub',
      github_repository: REPO,
      authorized_ip_ranges: [],
      state_storage_account_id: '/state',
    };
    rootVars[environment] = vars;
    scopes[environment] = await childScope({ vars, locals: top.locals, known: KNOWN }, top.modules.pipeline, pipeline, {
      'azurerm_storage_container.releases.id': '/rg/storage/releases',
    });
  }
}, 60_000);

describe('OIDC: the subjects GitHub sends are exactly the ones Azure trusts', () => {
  it('every job with id-token: write runs in a GitHub Environment, and only those jobs get a token', () => {
    const tokenJobs = jobs().filter((j) => j.job.permissions?.['id-token'] === 'write');
    expect(tokenJobs.map((j) => j.at).sort()).toEqual(['deployer.yml#publish', 'infra.yml#apply', 'infra.yml#plan']);
    for (const { at, job } of tokenJobs) expect(job.environment, at).toBeDefined();
    for (const w of Object.values(workflows)) expect(w.permissions).toEqual({});
  });

  it('the federated credentials trust the environment subjects of those jobs, for dev and prod, and nothing else', async () => {
    const used = jobs()
      .filter((j) => j.job.permissions?.['id-token'] === 'write')
      .flatMap((j) => environmentsOf(j.job, ['dev', 'prod']));
    const trusted: string[] = [];
    for (const env of ['dev', 'prod']) {
      const creds = pipeline.resources.azurerm_federated_identity_credential!.this;
      const subjects = (await evaluate(pipeline.locals.subjects, scopes[env]!)) as Record<string, string>;
      expect(creds.for_each).toBe('${local.subjects}');
      expect(creds.issuer).toBe('${local.issuer}');
      expect(await evaluate(pipeline.locals.issuer, scopes[env]!)).toBe('https://token.actions.githubusercontent.com');
      expect(await evaluate(pipeline.locals.audience, scopes[env]!)).toEqual(['api://AzureADTokenExchange']);
      trusted.push(...Object.values(subjects));
    }
    expect([...new Set(used.map((e) => `repo:${REPO}:environment:${e}`))].sort()).toEqual(trusted.sort());
  });

  it('the client id each job logs in with is its environment variable, never a secret', () => {
    for (const [f, text] of Object.entries(texts)) {
      expect(text, f).not.toMatch(/client-secret|ARM_CLIENT_SECRET|AZURE_CREDENTIALS|creds:/);
      expect(text, f).not.toMatch(/secrets\.AZURE/);
    }
    for (const { at, job } of jobs()) {
      for (const s of (job.steps ?? []).filter((x) => x.uses?.startsWith('azure/login@')))
        expect(s.with, at).toEqual({
          'client-id': '${{ vars.AZURE_CLIENT_ID }}',
          'tenant-id': '${{ vars.AZURE_TENANT_ID }}',
          'subscription-id': '${{ vars.AZURE_SUBSCRIPTION_ID }}',
        });
      if (job.env?.ARM_CLIENT_ID) expect(job.env.ARM_USE_OIDC, at).toBe('true');
    }
  });
});

describe('workflow hygiene (zizmor and actionlint check the same in CI; this keeps npm test honest)', () => {
  it('every action is pinned to a full commit SHA, with the version it is in a comment', () => {
    for (const [f, text] of Object.entries(texts))
      for (const m of text.matchAll(/uses:\s*(\S+)(.*)$/gm)) {
        expect(m[1], f).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
        expect(m[2], `${f} ${m[1]}`).toMatch(/# v\d+\.\d+\.\d+$/);
      }
  });

  it('no event field is expanded inside a run script (they reach scripts through env only)', () => {
    for (const { at, job } of jobs()) for (const s of job.steps ?? []) if (s.run) expect(s.run, at).not.toMatch(/\$\{\{/);
  });

  it('the scripts the workflows run exist and are executable', () => {
    const scripts = new Set(Object.values(texts).flatMap((t) => [...t.matchAll(/(scripts\/[\w.-]+\.(?:sh|mjs))/g)].map((m) => m[1]!)));
    expect(scripts.size).toBeGreaterThan(3);
    for (const s of scripts) expect(() => accessSync(join(root, s), constants.X_OK), s).not.toThrow();
  });
});

interface PipelineGrant {
  name: string;
  identity: string;
  scope: string;
  role: string;
  condition?: string;
  actions: string[];
  dataActions: string[];
}

async function grants(env: string): Promise<PipelineGrant[]> {
  const scope = scopes[env]!;
  const out: PipelineGrant[] = [];
  for (const [name, body] of Object.entries(pipeline.resources.azurerm_role_assignment ?? {})) {
    const count = body.count === undefined ? 1 : ((await evaluate(body.count, scope)) as number);
    if (count === 0) continue;
    const identity = /this\["(\w+)"\]/.exec(String(body.principal_id))?.[1] ?? '?';
    let role: string;
    let actions: string[] = [];
    let dataActions: string[] = [];
    if (body.role_definition_name) role = str(await evaluate(body.role_definition_name, scope));
    else {
      const def =
        pipeline.resources.azurerm_role_definition![
          /azurerm_role_definition\.(\w+)(?:\[\d+\])?\./.exec(String(body.role_definition_id))![1]!
        ];
      role = str(await evaluate(def.name, scope));
      const perms = (await evaluate(def.permissions, scope)) as { actions: string[]; data_actions: string[] }[];
      actions = perms.flatMap((p) => p.actions);
      dataActions = perms.flatMap((p) => p.data_actions);
    }
    out.push({
      name,
      identity,
      scope: str(await evaluate(body.scope, scope)),
      role,
      ...(body.condition ? { condition: str(await evaluate(body.condition, scope)) } : {}),
      actions,
      dataActions,
    });
  }
  return out;
}

describe('each pipeline identity gets what its job does, where it does it', () => {
  it('plan reads: Reader and list actions on the group, the state blob read-only; nothing that writes', async () => {
    const plan = (await grants('prod')).filter((g) => g.identity === 'plan');
    expect(plan.map((g) => [g.role, g.scope])).toEqual([
      ['Reader', '/rg'],
      [expect.stringMatching(/^Tailspin pipeline \(tailspin-prod-[0-9a-f]{6}\) - plan refresh$/), '/rg'],
      ['Storage Blob Data Reader', '/state/blobServices/default/containers/tfstate'],
    ]);
    for (const a of plan.flatMap((g) => [...g.actions, ...g.dataActions]))
      expect(a).toMatch(/\/(read|list\/action|listClusterUserCredential\/action)$/);
  });

  it('infra changes the group only, and can never hand out or remove Owner, User Access Administrator or RBAC Administrator', async () => {
    const infraGrants = (await grants('prod')).filter((g) => g.identity === 'infra');
    const scopesOf = new Set(infraGrants.map((g) => g.scope));
    expect([...scopesOf].sort()).toEqual(['/rg', '/rg/aks', '/state', '/state/blobServices/default/containers/tfstate']);
    const writers = infraGrants.filter((g) => g.actions.some((a) => a.startsWith('Microsoft.Authorization/roleAssignments/')));
    expect(writers.length).toBe(2);
    for (const g of writers) {
      for (const id of [
        '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
        '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
        'f58310d9-a9f6-439a-9e8d-f62e7b41a168',
      ])
        expect(g.condition?.match(new RegExp(id, 'g'))?.length, `${g.name} ${id}`).toBe(2);
      expect(g.condition).toMatch(/@Request\[Microsoft\.Authorization\/roleAssignments:RoleDefinitionId\] ForAnyOfAllValues:GuidNotEquals/);
      expect(g.condition).toMatch(
        /@Resource\[Microsoft\.Authorization\/roleAssignments:RoleDefinitionId\] ForAnyOfAllValues:GuidNotEquals/,
      );
    }
    // The cluster: read-only data actions for the checks after apply.
    const verify = infraGrants.find((g) => g.scope === '/rg/aks')!;
    expect(verify.dataActions.every((a) => a.endsWith('/read'))).toBe(true);
    expect(verify.dataActions.some((a) => a.includes('secrets'))).toBe(false);
  });

  it('deployer publishes one function app and writes one container, nothing else', async () => {
    const d = (await grants('prod')).filter((g) => g.identity === 'deployer');
    expect(d.map((g) => g.scope).sort()).toEqual(['/rg/func', '/rg/storage/releases']);
    expect(d.find((g) => g.scope === '/rg/func')!.actions).toContain('Microsoft.Web/sites/publish/action');
  });

  it('without a state account, no state grants exist', async () => {
    const vars = { ...rootVars.prod!, state_storage_account_id: null };
    const s = await childScope({ vars, locals: top.locals, known: KNOWN }, top.modules.pipeline, pipeline);
    for (const n of ['plan_state', 'infra_state', 'infra_state_lock'])
      expect(await evaluate(pipeline.resources.azurerm_role_assignment![n].count, s), n).toBe(0);
  });

  it("the stack's operator stays the person given, whoever runs apply", async () => {
    expect(top.modules.rbac.operator_object_id).toBe('${local.operator_object_id}');
    const scope = {
      vars: { ...rootVars.prod!, operator_object_id: 'person' },
      locals: top.locals,
      known: { 'data.azurerm_client_config.current.object_id': 'pipeline' },
    };
    expect(await evaluate(top.locals.operator_object_id, scope)).toBe('person');
    expect(await evaluate(top.locals.operator_object_id, { ...scope, vars: { ...scope.vars, operator_object_id: null } })).toBe('pipeline');
    expect(await evaluate(top.locals.operator_object_id, { ...scope, vars: { ...scope.vars, operator_object_id: '' } })).toBe('pipeline');
  });
});
