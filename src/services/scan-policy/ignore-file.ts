/**
 * `.trivyignore` and `.trivyignore.yaml`, parsed the way Trivy reads them (pkg/result/ignore.go):
 * - plain file: one ID per line (first whitespace-separated field), `#` comments, an optional
 *   `exp:YYYY-MM-DD` field; a line with a malformed date is skipped (Trivy warns and skips it).
 *   Each ID applies to vulnerabilities, misconfigurations, secrets and licenses alike.
 * - YAML: `vulnerabilities|misconfigurations|secrets|licenses: [{id, paths, purls, expired_at, statement}]`.
 * Parsers never throw; a YAML file Trivy would reject is an error value.
 */
import { LineCounter, parseDocument, isMap, isSeq, type Node as YamlNode } from 'yaml';
import { z } from 'zod';
import { type Result } from '../domain/result.js';
import { isValidGlob } from './glob.js';
import { parsePurl } from './purl.js';
import { type PolicyInputError } from './severity.js';

export const IGNORE_SECTIONS = ['vulnerabilities', 'misconfigurations', 'secrets', 'licenses'] as const;
export type IgnoreSection = (typeof IGNORE_SECTIONS)[number];

export interface IgnoreEntry {
  id: string;
  /** Where the entry applies; a plain `.trivyignore` line applies to all four. */
  sections: IgnoreSection[];
  paths: string[];
  purls: string[];
  /** `YYYY-MM-DD` (midnight UTC) or an ISO timestamp; the entry stops applying after it. */
  expiredAt?: string;
  statement?: string;
  /** 1-based line in the file, for people reading the verdict. */
  line?: number;
}

export interface IgnoreFile {
  format: 'trivyignore' | 'trivyignore-yaml';
  /** File name as given (used in messages and in the verdict). */
  name: string;
  entries: IgnoreEntry[];
  /** Lines Trivy would skip (e.g. a bad `exp:` date): kept so people see them. */
  warnings: string[];
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Milliseconds since epoch of an expiry, or undefined if it is not a real date. */
export function expiryTime(value: string): number | undefined {
  const m = DATE.exec(value);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const t = Date.UTC(y, mo - 1, d);
    const back = new Date(t);
    // Reject 2023-02-30 and friends, as Go's time.Parse does.
    return back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d ? t : undefined;
  }
  if (!/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?$/.test(value)) return undefined;
  const t = Date.parse(value.replace(' ', 'T'));
  return Number.isNaN(t) ? undefined : t;
}

/** Trivy: expired when the expiry instant is strictly before now. */
export const isExpired = (entry: IgnoreEntry, now: Date): boolean => {
  const t = entry.expiredAt === undefined ? undefined : expiryTime(entry.expiredAt);
  return t !== undefined && t < now.getTime();
};

export function parseTrivyIgnore(text: string, name = '.trivyignore'): IgnoreFile {
  const entries: IgnoreEntry[] = [];
  const warnings: string[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    const id = fields[0]!;
    // Like Trivy, only a line with more than one field is searched for `exp:` (the ID field included).
    const exp = fields.length > 1 ? fields.find((f) => f.startsWith('exp:'))?.slice(4) : undefined;
    if (exp !== undefined && (!DATE.test(exp) || expiryTime(exp) === undefined)) {
      warnings.push(`${name}:${index + 1}: "${id}" skipped: expiry "${exp}" is not a YYYY-MM-DD date`);
      return;
    }
    entries.push({
      id,
      sections: [...IGNORE_SECTIONS],
      paths: [],
      purls: [],
      ...(exp !== undefined && { expiredAt: exp }),
      line: index + 1,
    });
  });
  return { format: 'trivyignore', name, entries, warnings };
}

/** Inverse of parseTrivyIgnore for entries it can express (IDs and expiry only). */
export function formatTrivyIgnore(entries: readonly Pick<IgnoreEntry, 'id' | 'expiredAt'>[]): string {
  return entries.map((e) => (e.expiredAt ? `${e.id} exp:${e.expiredAt}` : e.id)).join('\n') + '\n';
}

// With the failsafe schema every scalar is a string, like yaml.v3 decoding into Go string fields.
const emptyish = (v: unknown): boolean => v === null || v === undefined || v === '' || v === '~' || v === 'null';
const list = z.preprocess((v) => (emptyish(v) ? [] : v), z.array(z.string()));
const scalar = z.preprocess((v) => (emptyish(v) ? undefined : v), z.string().optional());
const YamlEntry = z.object({ id: scalar, paths: list, purls: list, expired_at: scalar, statement: scalar });
const YamlSection = z.preprocess((v) => (emptyish(v) ? [] : v), z.array(YamlEntry));

export function parseTrivyIgnoreYaml(text: string, name = '.trivyignore.yaml'): Result<IgnoreFile, PolicyInputError> {
  const fail = (message: string) => ({ ok: false as const, error: { what: 'ignorefile' as const, message: `${name}: ${message}` } });
  const lineCounter = new LineCounter();
  let top: unknown;
  let doc;
  try {
    doc = parseDocument(text, { schema: 'failsafe', lineCounter, uniqueKeys: false });
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      return fail(`not valid YAML at line ${e.linePos?.[0].line ?? '?'}: ${e.message.split('\n')[0]}`);
    }
    top = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    return fail(`not valid YAML: ${e instanceof Error ? e.message.split('\n')[0] : 'unreadable'}`);
  }
  if (emptyish(top)) return { ok: true, value: { format: 'trivyignore-yaml', name, entries: [], warnings: [] } };
  if (typeof top !== 'object' || top === null || Array.isArray(top))
    return fail('expected a mapping with vulnerabilities/misconfigurations/secrets/licenses');
  const entries: IgnoreEntry[] = [];
  const warnings = Object.keys(top)
    .filter((k) => !(IGNORE_SECTIONS as readonly string[]).includes(k))
    .map((k) => `${name}: unknown section "${k}" ignored (expected ${IGNORE_SECTIONS.join(', ')})`);
  for (const section of IGNORE_SECTIONS) {
    const parsed = YamlSection.safeParse((top as Record<string, unknown>)[section]);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return fail(`${section}${issue?.path.length ? `[${issue.path.join('].')}` : ''}: ${issue?.message ?? 'invalid'}`);
    }
    const node = isMap(doc.contents) ? doc.contents.get(section, true) : undefined;
    const items = isSeq(node) ? (node.items as YamlNode[]) : [];
    for (const [i, item] of parsed.data.entries()) {
      const offset = items[i]?.range?.[0];
      const line = offset === undefined ? undefined : lineCounter.linePos(offset).line;
      if (!item.id) {
        warnings.push(`${name}${line ? `:${line}` : ''}: ${section} entry without id ignored`);
        continue;
      }
      if (item.expired_at !== undefined && expiryTime(item.expired_at) === undefined) {
        return fail(`${section} "${item.id}": expired_at "${item.expired_at}" is not a date (YYYY-MM-DD)`);
      }
      const badPath = item.paths.find((p) => !isValidGlob(p));
      if (badPath !== undefined) return fail(`${section} "${item.id}": invalid path pattern "${badPath}"`);
      const badPurl = item.purls.find((p) => parsePurl(p) === undefined);
      if (badPurl !== undefined) return fail(`${section} "${item.id}": invalid purl "${badPurl}"`);
      entries.push({
        id: item.id,
        sections: [section],
        paths: item.paths,
        purls: item.purls,
        ...(item.expired_at !== undefined && { expiredAt: item.expired_at }),
        ...(item.statement !== undefined && { statement: item.statement }),
        ...(line !== undefined && { line }),
      });
    }
  }
  return { ok: true, value: { format: 'trivyignore-yaml', name, entries, warnings } };
}

/** Pick the parser like Trivy (by extension), and also accept YAML content under another name. */
export function parseIgnoreFile(name: string, text: string): Result<IgnoreFile, PolicyInputError> {
  const yamlByName = /\.ya?ml$/i.test(name);
  const yamlByContent = /^(vulnerabilities|misconfigurations|secrets|licenses)\s*:/m.test(text);
  return yamlByName || yamlByContent ? parseTrivyIgnoreYaml(text, name) : { ok: true, value: parseTrivyIgnore(text, name) };
}
