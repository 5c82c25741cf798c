/**
 * Terraform read the way Terraform reads it: every file of a module parsed by HashiCorp's own HCL
 * parser (hcl-parser.ts), merged as Terraform merges them, and evaluated (hcl-eval.ts). Module calls
 * become child scopes; variable validations can be asked about any inputs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluate, type Scope, type Value } from './hcl-eval.js';
import { hcl, type Json } from './hcl-parser.js';

export { evaluate, str, Unknown, type Scope, type Value } from './hcl-eval.js';

export interface Module {
  dir: string;
  locals: Record<string, Json>;
  variables: Record<string, Json>;
  /** resource type → name → body */
  resources: Record<string, Record<string, Json>>;
  modules: Record<string, Json>;
  outputs: Record<string, Json>;
  providers: Record<string, Json>;
  terraform: Json[];
}

const blocks = (v: Json): Json[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/** Every .tf file of one directory (not its subdirectories), merged as Terraform merges them. */
export async function loadModule(dir: string): Promise<Module> {
  const m: Module = { dir, locals: {}, variables: {}, resources: {}, modules: {}, outputs: {}, providers: {}, terraform: [] };
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.tf'))) {
    const j = (await (await hcl()).parse(file, readFileSync(join(dir, file), 'utf8'))) as Json;
    for (const l of blocks(j.locals)) Object.assign(m.locals, l);
    for (const [n, b] of Object.entries(j.variable ?? {})) m.variables[n] = blocks(b)[0];
    for (const [type, byName] of Object.entries(j.resource ?? {}))
      for (const [n, b] of Object.entries(byName as Json)) (m.resources[type] ??= {})[n] = blocks(b)[0];
    for (const [n, b] of Object.entries(j.module ?? {})) m.modules[n] = blocks(b)[0];
    for (const [n, b] of Object.entries(j.output ?? {})) m.outputs[n] = blocks(b)[0];
    for (const [n, b] of Object.entries(j.provider ?? {})) m.providers[n] = blocks(b)[0];
    m.terraform.push(...blocks(j.terraform));
  }
  return m;
}

/** A .tfvars file: attribute name → value. */
export async function loadTfvars(path: string): Promise<Record<string, Json>> {
  return (await (await hcl()).parse(path, readFileSync(path, 'utf8'))) as Record<string, Json>;
}

/** Variable defaults of a module, evaluated (defaults are constants in Terraform). */
export async function defaults(m: Module): Promise<Record<string, Value>> {
  const out: Record<string, Value> = {};
  for (const [n, v] of Object.entries(m.variables)) if (v && 'default' in v) out[n] = await evaluate(v.default, { vars: {}, locals: {} });
  return out;
}

/** Every validation of a variable that fails for these inputs, by its error message. */
export async function failedValidations(m: Module, vars: Record<string, Value>): Promise<string[]> {
  const scope: Scope = { vars, locals: {} };
  const failed: string[] = [];
  for (const v of Object.values(m.variables))
    for (const rule of blocks(v?.validation)) if ((await evaluate(rule.condition, scope)) !== true) failed.push(String(rule.error_message));
  return failed;
}

/** The scope a child module sees: its variable defaults overlaid with the arguments of its module block. */
export async function childScope(parent: Scope, call: Json, child: Module, known?: Record<string, Value>): Promise<Scope> {
  const vars = await defaults(child);
  for (const [k, raw] of Object.entries(call as Record<string, Json>)) {
    if (['source', 'version', 'count', 'for_each', 'depends_on', 'providers'].includes(k)) continue;
    vars[k] = await evaluate(raw, parent);
  }
  return { vars, locals: child.locals, ...(known ? { known } : {}) };
}
