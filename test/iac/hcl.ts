/**
 * Terraform read the way Terraform reads it: every file of a module parsed by HashiCorp's own HCL
 * parser (@cdktf/hcl2json wraps it, compiled to WebAssembly), and expressions evaluated over its
 * syntax tree. The evaluator knows the few functions and operators this repository's HCL uses and
 * fails loudly on anything else, so a new construct cannot slip past the contract tests unread.
 * Values that exist only in Azure (resource ids, host names) come back as Unknown references.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// Loaded by name at run time: its typings declare `/// <reference lib="dom" />`, which would put
// the DOM's fetch types into the whole program and break Node's.
interface Hcl2Json {
  parse(filename: string, contents: string): Promise<Record<string, unknown>>;
  getExpressionAst(filename: string, expression: string): Promise<unknown>;
}
const HCL2JSON: string = '@cdktf/hcl2json';
let hcl2json: Promise<Hcl2Json> | undefined;
const hcl = (): Promise<Hcl2Json> => (hcl2json ??= import(HCL2JSON) as Promise<Hcl2Json>);

/** A value as Terraform would interpolate it into a string. */
export function str(v: Value | undefined): string {
  if (v instanceof Unknown) return `(${v.ref})`;
  if (v !== null && typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** A value Terraform knows only after apply, e.g. `module.acr.id`. */
export class Unknown {
  constructor(readonly ref: string) {}
}
export type Value = string | number | boolean | null | Unknown | Value[] | { [k: string]: Value };

// hcl2json's JSON and the syntax tree it returns are untyped.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

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

export interface Scope {
  vars: Record<string, Value>;
  /** Unevaluated locals of the module; evaluated on first use. */
  locals: Record<string, Json>;
  /** Anything else (`module.x.y`, `azurerm_x.y.z`, `data.…`): Unknown unless given here. */
  known?: Record<string, Value>;
  /** for-expression variables */
  bound?: Record<string, Value>;
  cache?: Map<string, Value>;
}

/** Evaluate what hcl2json produced for an attribute: JSON, where strings may hold "${…}" templates. */
export async function evaluate(raw: Json, scope: Scope): Promise<Value> {
  if (typeof raw === 'string') return raw.includes('${') ? node(await ast(hclTemplate(raw)), scope) : raw;
  if (Array.isArray(raw)) return Promise.all(raw.map((x) => evaluate(x, scope)));
  if (raw && typeof raw === 'object') {
    const out: Record<string, Value> = {};
    for (const [k, v] of Object.entries(raw)) out[k] = await evaluate(v, scope);
    return out;
  }
  return raw as Value;
}

/** Evaluate one expression given as HCL source, e.g. a validation condition. */
export async function evaluateExpression(source: string, scope: Scope): Promise<Value> {
  return node(await ast(source), scope);
}

/** hcl2json's string back to HCL source: literal parts escaped, interpolations as written. */
function hclTemplate(raw: string): string {
  let out = '"';
  for (let i = 0; i < raw.length;) {
    if (raw.startsWith('${', i)) {
      const end = closingBrace(raw, i + 1);
      out += raw.slice(i, end + 1);
      i = end + 1;
    } else {
      const c = raw[i++]!;
      out += c === '"' ? '\\"' : c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c;
    }
  }
  return `${out}"`;
}

function closingBrace(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const c = s[i];
    if (c === '"') {
      for (i++; i < s.length && s[i] !== '"'; i++) if (s[i] === '\\') i++;
    } else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  throw new Error(`HCL: unbalanced interpolation in ${s}`);
}

const trees = new Map<string, Promise<Json>>();
function ast(source: string): Promise<Json> {
  let tree = trees.get(source);
  if (!tree) {
    tree = hcl()
      .then((h) => h.getExpressionAst('contract.tf', source))
      .then((t) => {
        if (!t) throw new Error(`HCL: cannot parse ${source}`);
        return t as Json;
      });
    trees.set(source, tree);
  }
  return tree;
}

async function node(n: Json, scope: Scope): Promise<Value> {
  const kids = (n.children ?? []) as Json[];
  const meta = n.meta ?? {};
  switch (n.type) {
    case 'templateWrap':
      return node(kids[0], scope);
    case 'literalValue':
      return meta.type === 'number'
        ? Number(meta.value)
        : meta.type === 'bool'
          ? meta.value === 'true'
          : meta.type === 'null'
            ? null
            : meta.value;
    case 'template': {
      const parts = await Promise.all(kids.map((k) => node(k, scope)));
      const unknown = parts.find((p) => p instanceof Unknown);
      return unknown ?? parts.map((p) => str(p)).join('');
    }
    case 'scopeTraversal':
      return traverse(meta.traversal as Json[], scope);
    case 'function':
      return call(meta.name as string, kids, scope);
    case 'binaryOp':
      return binary(meta.operator as string, await node(kids[0], scope), await node(kids[1], scope));
    case 'unaryOp': {
      const v = await node(kids[0], scope);
      if (v instanceof Unknown) return v;
      if (meta.operator === 'logicalNot') return !v;
      if (meta.operator === 'negate') return -(v as number);
      break;
    }
    case 'conditional': {
      const c = await node(kids[0], scope);
      if (c instanceof Unknown) return c;
      return node(c ? kids[1] : kids[2], scope);
    }
    case 'object': {
      const out: Record<string, Value> = {};
      for (const [k, src] of Object.entries(meta.items as Record<string, string>)) out[k] = await node(await ast(src), scope);
      return out;
    }
    case 'tuple':
      return Promise.all(kids.map((k) => node(k, scope)));
    case 'for': {
      const coll = await evaluateExpression(meta.collectionExpression as string, scope);
      if (coll instanceof Unknown) return coll;
      const items = Array.isArray(coll) ? coll : Object.values(coll as Record<string, Value>);
      return Promise.all(
        items.map((v) =>
          evaluateExpression(meta.valueExpression as string, { ...scope, bound: { ...scope.bound, [meta.valVar as string]: v } }),
        ),
      );
    }
  }
  throw new Error(`HCL evaluator: unsupported ${String(n.type)} ${String(meta.value ?? '')}`);
}

async function traverse(path: Json[], scope: Scope): Promise<Value> {
  const names = path.map((p) => (p.type === 'nameTraversal' ? (p.segment as string) : `[${String(p.segment ?? p.key ?? '')}]`));
  const full = names.join('.');
  let v: Value;
  let rest: string[];
  if (names[0] === 'var') {
    if (!(names[1]! in scope.vars)) throw new Error(`HCL: no value for var.${names[1]}`);
    v = scope.vars[names[1]!]!;
    rest = names.slice(2);
  } else if (names[0] === 'local') {
    v = await local(names[1]!, scope);
    rest = names.slice(2);
  } else if (scope.bound && names[0]! in scope.bound) {
    v = scope.bound[names[0]!]!;
    rest = names.slice(1);
  } else {
    for (let i = names.length; i > 0; i--) {
      const key = names.slice(0, i).join('.');
      if (scope.known && key in scope.known) return walk(scope.known[key]!, names.slice(i));
    }
    return new Unknown(full);
  }
  return walk(v, rest);
}

function walk(v: Value, rest: string[]): Value {
  for (const k of rest) {
    if (v instanceof Unknown) return v;
    v = (v as Record<string, Value>)[k.replace(/^\[(.*)\]$/, '$1')] ?? null;
  }
  return v;
}

async function local(name: string, scope: Scope): Promise<Value> {
  scope.cache ??= new Map();
  const hit = scope.cache.get(name);
  if (hit !== undefined) return hit;
  if (!(name in scope.locals)) throw new Error(`HCL: no local.${name}`);
  const v = await evaluate(scope.locals[name], scope);
  scope.cache.set(name, v);
  return v;
}

async function call(name: string, args: Json[], scope: Scope): Promise<Value> {
  if (name === 'can') {
    try {
      const v = await node(args[0], scope);
      return v instanceof Unknown ? v : true;
    } catch (e) {
      if (e instanceof Error && e.message.startsWith('HCL evaluator: unsupported')) throw e;
      return false;
    }
  }
  const a = await Promise.all(args.map((x) => node(x, scope)));
  if (name !== 'merge' && name !== 'jsonencode') {
    const unknown = a.find((x) => x instanceof Unknown);
    if (unknown) return unknown;
  }
  switch (name) {
    case 'merge':
      return Object.assign({}, ...a.map((x) => (x instanceof Unknown ? { [`<${x.ref}>`]: x } : x))) as Value;
    case 'jsonencode':
      return a[0]!; // the structure, not its text: tests compare structures
    case 'format': {
      let i = 1;
      return str(a[0]).replace(/%s/g, () => str(a[i++]));
    }
    case 'substr':
      return str(a[0]).substr(Number(a[1]), Number(a[2]));
    case 'sha1':
      return createHash('sha1').update(str(a[0])).digest('hex');
    case 'lower':
      return str(a[0]).toLowerCase();
    case 'length':
      return typeof a[0] === 'string' ? [...a[0]].length : Array.isArray(a[0]) ? a[0].length : Object.keys(a[0] as object).length;
    case 'regex': {
      const m = new RegExp(str(a[0])).exec(str(a[1]));
      if (!m) throw new Error(`regex: no match for ${str(a[0])}`);
      return m[0];
    }
    case 'contains':
      return (a[0] as Value[]).includes(a[1]!);
    case 'alltrue':
      return (a[0] as Value[]).every((x) => x === true);
    case 'toset':
      return [...new Set(a[0] as Value[])];
    case 'keys':
      return Object.keys(a[0] as object).sort();
    case 'sort':
      return [...(a[0] as string[])].sort();
    case 'cidrhost': {
      const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(str(a[0]));
      if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32) throw new Error(`cidrhost: invalid CIDR ${str(a[0])}`);
      return str(a[0]).split('/')[0]!;
    }
  }
  throw new Error(`HCL evaluator: unsupported function ${name}()`);
}

function binary(op: string, l: Value, r: Value): Value {
  if (l instanceof Unknown) return l;
  if (r instanceof Unknown) return r;
  switch (op) {
    case 'logicalAnd':
      return Boolean(l) && Boolean(r);
    case 'logicalOr':
      return Boolean(l) || Boolean(r);
    case 'add':
      return (l as number) + (r as number);
    case 'subtract':
      return (l as number) - (r as number);
    case 'lessThan':
      return (l as number) < (r as number);
    case 'lessThanOrEqual':
      return (l as number) <= (r as number);
    case 'greaterThan':
      return (l as number) > (r as number);
    case 'greaterThanOrEqual':
      return (l as number) >= (r as number);
    case 'equal':
      return JSON.stringify(l) === JSON.stringify(r);
    case 'notEqual':
      return JSON.stringify(l) !== JSON.stringify(r);
  }
  throw new Error(`HCL evaluator: unsupported operator ${op}`);
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
