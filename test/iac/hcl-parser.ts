/**
 * HashiCorp's HCL parser, compiled to WebAssembly (@cdktf/hcl2json): files to JSON, expressions to
 * syntax trees. Trees are cached by source text: the contract tests evaluate the same few thousand
 * expressions many times.
 */

// hcl2json's JSON and the syntax tree it returns are untyped.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

// Loaded by name at run time: its typings declare `/// <reference lib="dom" />`, which would put
// the DOM's fetch types into the whole program and break Node's.
interface Hcl2Json {
  parse(filename: string, contents: string): Promise<Record<string, unknown>>;
  getExpressionAst(filename: string, expression: string): Promise<unknown>;
}
const HCL2JSON: string = '@cdktf/hcl2json';
let hcl2json: Promise<Hcl2Json> | undefined;
export const hcl = (): Promise<Hcl2Json> => (hcl2json ??= import(HCL2JSON) as Promise<Hcl2Json>);

/** hcl2json's string back to HCL source: literal parts escaped, interpolations as written. */
export function hclTemplate(raw: string): string {
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
export function ast(source: string): Promise<Json> {
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
