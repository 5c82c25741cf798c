/**
 * Which ignore entry (if any) covers a finding — Trivy's IgnoreConfig.Match* semantics:
 * same ID; `paths` (globs) must match the result Target (or, for vulnerabilities, the PkgPath);
 * `purls` must match the package's PURL when the finding has one. First matching entry wins.
 */
import { compileGlob } from './glob.js';
import { type IgnoreEntry, type IgnoreSection } from './ignore-file.js';
import { parsePurl, purlMatches, type Purl } from './purl.js';

interface CompiledEntry {
  entry: IgnoreEntry;
  globs: RegExp[];
  purls: Purl[];
}

export interface Matcher {
  vulnerability(id: string, target: string, pkgPath: string | undefined, purl: string | undefined): IgnoreEntry | undefined;
  misconfiguration(ids: string[], target: string): IgnoreEntry | undefined;
  secret(ruleId: string, target: string): IgnoreEntry | undefined;
  /** Entries that matched at least one finding so far. */
  used: Set<IgnoreEntry>;
}

export function createMatcher(entries: readonly IgnoreEntry[]): Matcher {
  const compiled: CompiledEntry[] = entries.map((entry) => ({
    entry,
    // Invalid globs/purls were rejected by the parser; filtering keeps this total anyway.
    globs: entry.paths.map(compileGlob).filter((g): g is RegExp => g !== undefined),
    purls: entry.purls.map(parsePurl).filter((p): p is Purl => p !== undefined),
  }));
  const used = new Set<IgnoreEntry>();

  const find = (section: IgnoreSection, id: string, path: string, purl: Purl | undefined): IgnoreEntry | undefined => {
    const hit = compiled.find(
      (c) =>
        c.entry.id === id &&
        c.entry.sections.includes(section) &&
        (c.entry.paths.length === 0 || c.globs.some((g) => g.test(path))) &&
        (purl === undefined || c.entry.purls.length === 0 || c.purls.some((p) => purlMatches(p, purl))),
    )?.entry;
    if (hit) used.add(hit);
    return hit;
  };

  return {
    used,
    vulnerability(id, target, pkgPath, purlText) {
      const purl = purlText ? parsePurl(purlText) : undefined;
      return find('vulnerabilities', id, target, purl) ?? find('vulnerabilities', id, pkgPath ?? '', purl);
    },
    misconfiguration(ids, target) {
      for (const id of ids) {
        const hit = find('misconfigurations', id, target, undefined);
        if (hit) return hit;
      }
      return undefined;
    },
    secret(ruleId, target) {
      return find('secrets', ruleId, target, undefined);
    },
  };
}

/**
 * IDs a misconfiguration answers to. Trivy moved from "AVD-DS-0002" (AVDID) to "DS-0002" (ID) and
 * keeps honouring the old form in ignore files, so both spellings are tried.
 */
export function misconfigIds(id: string, avdId: string | undefined): string[] {
  const ids = [id, avdId ?? '', id.startsWith('AVD-') ? id.slice(4) : `AVD-${id}`];
  return [...new Set(ids.filter(Boolean))];
}
