/**
 * YAML documents of one manifest file, parsed within bounds. Manifests come from whoever can push to
 * the repository, and a parse that throws, crashes or runs for minutes wedges every later manifest
 * release, so each way a file could do that is refused up front with a reason:
 * - size: bytes per file and in total (checked by the caller, see parseManifests);
 * - documents: counted while the token stream is read, so a file of a million "---" stops at the limit;
 * - nesting: measured on the concrete syntax tree (iterative) before composing, because the recursive
 *   composer overflows the stack on deep input and, near the stack's end, V8 can abort the whole
 *   process (seen at depth 1,000: "RegExpCompiler Allocation failed");
 * - aliases: expansion bounded by maxAliasCount (an alias bomb stops as a ReferenceError, caught here);
 * - duplicate keys: found here in one pass (the library's own check is quadratic: 130 k keys took 4 min).
 */
import { Composer, CST, LineCounter, Parser, isAlias, isScalar, visit, type Document } from 'yaml';

export const YAML_LIMITS = {
  /** Bytes of one file; a ConfigMap holds at most 1 MiB, and an app's manifests are a few KiB. */
  maxFileBytes: 512 * 1024,
  /** Bytes of every file together (each byte can cost microseconds of parsing: this bounds one tick). */
  maxTotalBytes: 1024 * 1024,
  /** Documents in all files together. */
  maxDocuments: 100,
  /** Nesting of mappings and sequences; a Deployment needs about 10. */
  maxDepth: 64,
  /** The yaml package's bound on alias expansion (its default, made explicit). */
  maxAliasCount: 100,
};
export type YamlLimits = typeof YAML_LIMITS;

export type YamlDocument = { document: number; value: unknown } | { document: number; error: string };
export type YamlFile = { ok: true; documents: YamlDocument[] } | { ok: false; document: number; reason: string };

/** The documents of one file (at most `maxDocuments` of them), or why the file is refused as a whole. */
export function parseYamlFile(content: string, maxDocuments: number, limits: YamlLimits = YAML_LIMITS): YamlFile {
  const lines = new LineCounter();
  const tokens: CST.Token[] = [];
  let count = 0;
  for (const token of new Parser(lines.addNewLine).parse(content)) {
    if (token.type === 'document') {
      count += 1;
      if (count > maxDocuments) return { ok: false, document: count, reason: `more than ${limits.maxDocuments} YAML documents` };
      if (deeperThan(token, limits.maxDepth))
        return { ok: false, document: count, reason: `YAML: nested deeper than ${limits.maxDepth} levels` };
    }
    tokens.push(token);
  }
  const docs = [...new Composer({ uniqueKeys: false }).compose(tokens)];
  return { ok: true, documents: docs.map((doc, i) => toValue(doc, i + 1, lines, limits)) };
}

/** Iterative walk of the syntax tree: nothing here recurses on the input's depth. */
function deeperThan(doc: CST.Document, max: number): boolean {
  const stack: [CST.Token | null | undefined, number][] = [[doc.value, 0]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [token, depth] = next;
    if (!CST.isCollection(token)) continue;
    if (depth + 1 > max) return true;
    for (const item of token.items) stack.push([item.key, depth + 1], [item.value, depth + 1]);
  }
  return false;
}

function toValue(doc: Document.Parsed, document: number, lines: LineCounter, limits: YamlLimits): YamlDocument {
  const at = (offset: number | undefined) => {
    if (offset === undefined) return '';
    const { line, col } = lines.linePos(offset);
    return ` (line ${line}, column ${col})`;
  };
  const first = doc.errors[0];
  if (first) return { document, error: `YAML: ${first.message}${at(first.pos[0])}` };
  const duplicate = duplicateKey(doc);
  if (duplicate) return { document, error: `YAML: ${duplicate.message}${at(duplicate.offset)}` };
  try {
    return { document, value: doc.toJS({ maxAliasCount: limits.maxAliasCount }) as unknown };
  } catch (e) {
    // The yaml package signals alias bombs and unresolved aliases with ReferenceError.
    const message = e instanceof Error ? e.message : String(e);
    return {
      document,
      error: /excessive alias count/i.test(message)
        ? `YAML: aliases expand beyond the limit of ${limits.maxAliasCount} (an alias bomb?)`
        : `YAML: ${message}`,
    };
  }
}

/** The first repeated or non-scalar mapping key (depth is already bounded, so visit's recursion is safe). */
function duplicateKey(doc: Document.Parsed): { message: string; offset?: number } | undefined {
  let found: { message: string; offset?: number } | undefined;
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        const key = pair.key;
        if (isAlias(key) || !isScalar(key)) {
          found = { message: 'mapping keys must be plain scalars', offset: (key as { range?: [number] } | null)?.range?.[0] };
          return visit.BREAK;
        }
        const name = String(key.value);
        if (seen.has(name)) {
          found = { message: `duplicate key ${JSON.stringify(name)}`, offset: key.range?.[0] };
          return visit.BREAK;
        }
        seen.add(name);
      }
      return undefined;
    },
  });
  return found;
}
