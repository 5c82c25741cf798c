import { own, sharedDir, sharedText } from '../../helpers/fixtures.js';
import { readFileSync } from 'node:fs';
import {
  parseIgnoreFile,
  parseTrivyReport,
  type IgnoreFile,
  type ScanVerdict,
  type TrivyReport,
} from '../../../src/services/scan-policy/index.js';

export const reportFixtures = (): string[] => sharedDir('trivy').filter((f) => f.endsWith('.json') || f.endsWith('.json.golden'));
export const ignoreFixtures = (): string[] => sharedDir('trivy').filter((f) => f.includes('.trivyignore'));

export function sharedReport(name: string): TrivyReport {
  const r = parseTrivyReport(sharedText('trivy', name));
  if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
  return r.value;
}

export function ownReport(name: string): TrivyReport {
  const r = parseTrivyReport(readFileSync(own('scan-policy', name), 'utf8'));
  if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
  return r.value;
}

export function sharedIgnore(name: string): IgnoreFile {
  const r = parseIgnoreFile(name, sharedText('trivy', name));
  if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
  return r.value;
}

/** The identity Trivy's own output is compared on. */
export const vulnKeys = (report: TrivyReport): string[] =>
  (report.Results ?? [])
    .flatMap((r) => (r.Vulnerabilities ?? []).map((v) => [r.Target, v.VulnerabilityID, v.PkgName, v.InstalledVersion].join(' | ')))
    .sort();

export const blockingKeys = (v: ScanVerdict): string[] =>
  v.blocking.map((f) => [f.target, f.id, f.pkgName ?? '', f.installedVersion ?? ''].join(' | ')).sort();
