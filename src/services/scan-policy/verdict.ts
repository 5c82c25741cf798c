import { type IgnoreSection } from './ignore-file.js';
import { type Severity, type SeverityCounts } from './severity.js';

export type FindingKind = 'vulnerability' | 'misconfiguration' | 'secret';

export interface Finding {
  kind: FindingKind;
  /** CVE/GHSA/… for vulnerabilities, check ID for misconfigurations, rule ID for secrets. */
  id: string;
  severity: Severity;
  /** Trivy's Result.Target, e.g. "alpine:3.10 (alpine 3.10.9)" or "package-lock.json". */
  target: string;
  pkgName?: string;
  installedVersion?: string;
  fixedVersion?: string;
  status?: string;
  pkgPath?: string;
  purl?: string;
  title?: string;
}

export type IgnoreReason =
  { by: 'unfixed'; status: string } | { by: 'ignorefile'; file: string; id: string; line?: number; statement?: string; expiredAt?: string };

export interface IgnoredFinding {
  finding: Finding;
  reason: IgnoreReason;
}

export interface IgnoreEntryRef {
  file: string;
  id: string;
  sections: IgnoreSection[];
  line?: number;
  expiredAt?: string;
  statement?: string;
}

/** Vulnerability DB metadata, when the caller knows it (a JSON report does not carry it). */
export interface TrivyDbInfo {
  version?: number | string;
  updatedAt?: string;
  nextUpdate?: string;
}

export interface ScanVerdict {
  outcome: 'pass' | 'blocked';
  /** Sorted most severe first. */
  blocking: Finding[];
  counts: {
    /** Every distinct vulnerability in the report, by severity. */
    vulnerabilities: SeverityCounts;
    /** Failed misconfiguration checks and secrets found, by severity. */
    misconfigurations: SeverityCounts;
    secrets: SeverityCounts;
    /** What blocks, by severity (all kinds). */
    blocking: SeverityCounts;
  };
  /** Findings that would have blocked but were ignored, and why. */
  ignored: IgnoredFinding[];
  /** Ignore entries past their expiry: they no longer apply. */
  staleIgnores: IgnoreEntryRef[];
  /** Active ignore entries that matched nothing in this report. */
  unusedIgnores: IgnoreEntryRef[];
  /** Ignore-file lines that were skipped, as Trivy would. */
  ignoreWarnings: string[];
  /** Earliest expiry of an ignore entry that this verdict relies on: evaluate again after it. */
  reevaluateAfter?: string;
  artifact: { name?: string; type?: string; os?: string; eosl?: boolean };
  trivy: { version: string | null; db: TrivyDbInfo | null };
  policy: {
    severities: Severity[];
    ignoreUnfixed: boolean;
    blockSecrets: boolean;
    blockMisconfigAt: Severity | null;
    ignoreFile: string | null;
  };
  /** Plain-language caveats (missing versions, end-of-life OS, …). */
  notes: string[];
}
