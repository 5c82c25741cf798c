/**
 * Terraform expressions evaluated over HCL syntax trees: the few functions and operators this
 * repository's HCL uses, and a loud failure for anything else, so a new construct cannot slip past
 * the contract tests unread. Values that exist only in Azure (resource ids, host names) come back as
 * Unknown references.
 */
import { createHash } from 'node:crypto';
import { ast, hclTemplate, type Json } from './hcl-parser.js';

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
          : meta.type === 'null' || (meta.type === 'dynamic' && meta.value === 'null') // hcl2json types the null literal "dynamic"
            ? null
            : meta.value;
    case 'template': {
      // Literal parts of a template come back as written in the source: undo HCL's escapes.
      const parts = await Promise.all(
        kids.map((k) =>
          k.type === 'literalValue' && k.meta?.type === 'string' ? Promise.resolve(unescapeHcl(String(k.meta.value))) : node(k, scope),
        ),
      );
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
      const bound = (v: Value) => ({ ...scope, bound: { ...scope.bound, [meta.valVar as string]: v } });
      const values = await Promise.all(items.map((v) => evaluateExpression(meta.valueExpression as string, bound(v))));
      if (!meta.keyExpression) return values;
      // { for x in … : key => value }: an object.
      const keys = await Promise.all(items.map((v) => evaluateExpression(meta.keyExpression as string, bound(v))));
      return Object.fromEntries(keys.map((k, i) => [str(k), values[i]!]));
    }
    case 'index':
    case 'relativeTraversal': {
      // A resource's attribute (resource.name[key].attr) exists only in Azure: an unknown, by its text.
      const source = await node(kids[0], scope);
      if (source instanceof Unknown) return new Unknown(String(meta.value));
      break;
    }
  }
  throw new Error(`HCL evaluator: unsupported ${String(n.type)} ${String(meta.value ?? '')}`);
}

async function traverse(path: Json[], scope: Scope): Promise<Value> {
  const names = path.map((p) => (p.type === 'nameTraversal' ? (p.segment as string) : `[${String(p.segment ?? p.key ?? '')}]`));
  // As Terraform spells it: `a.b[0].c`, the unknown's text when nothing here knows it.
  const full = names.reduce((a, n) => (n.startsWith('[') ? a + n : a ? `${a}.${n}` : n), '');
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
    // A module or resource with count: its one instance (module.x[0].y, type.name[0].y) is what `known` names module.x.y.
    const path = names[2] === '[0]' ? [...names.slice(0, 2), ...names.slice(3)] : names;
    for (let i = path.length; i > 0; i--) {
      const key = path.slice(0, i).join('.');
      if (scope.known && key in scope.known) return walk(scope.known[key]!, path.slice(i));
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
    case 'lookup': {
      const m = a[0] as Record<string, Value>;
      if (str(a[1]) in m) return m[str(a[1])]!;
      if (a.length < 3) throw new Error(`lookup: no key ${str(a[1])} and no default`);
      return a[2]!;
    }
    case 'tonumber': {
      const n = Number(a[0]);
      if (a[0] === null || a[0] === '' || Number.isNaN(n)) throw new Error(`tonumber: ${str(a[0])} is not a number`);
      return n;
    }
    case 'concat':
      return (a as Value[][]).flat();
    case 'flatten':
      return (a[0] as Value[]).flat(Infinity as 1);
    case 'jsondecode':
      return JSON.parse(str(a[0])) as Value;
    case 'keys':
      return Object.keys(a[0] as object).sort();
    case 'sort':
      return [...(a[0] as string[])].sort();
    case 'join':
      return (a[1] as Value[]).map(str).join(str(a[0]));
    case 'cidrhost': {
      const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(str(a[0]));
      if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32) throw new Error(`cidrhost: invalid CIDR ${str(a[0])}`);
      return str(a[0]).split('/')[0]!;
    }
  }
  throw new Error(`HCL evaluator: unsupported function ${name}()`);
}

/** HCL's string escapes (\\n, \\", \\\\, \\t, \\r, \\uNNNN, $${, %%{) back to the characters. */
function unescapeHcl(text: string): string {
  return text
    .replace(/\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[nrt"\\])/g, (_, e: string) =>
      e.length > 1
        ? String.fromCodePoint(parseInt(e.slice(1), 16))
        : ({ n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' } as Record<string, string>)[e]!,
    )
    .replace(/\$\$\{/g, '${')
    .replace(/%%\{/g, '%{');
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
