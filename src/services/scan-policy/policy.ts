import { type Result } from '../domain/result.js';
import { type IgnoreFile } from './ignore-file.js';
import { parseSeverityList, type PolicyInputError, type Severity } from './severity.js';

/** What the scan gate blocks on. Built once from settings (or CLI flags) and passed in. */
export interface ScanPolicy {
  /** Vulnerability severities that block. Trivy's `--severity`. */
  severities: Severity[];
  /** Trivy's `--ignore-unfixed`: vulnerabilities without a released fix never block. */
  ignoreUnfixed: boolean;
  /** Parsed `.trivyignore` / `.trivyignore.yaml`, if the policy has one. */
  ignoreFile?: IgnoreFile;
  /** Every secret finding (whatever its severity) blocks unless an ignore entry covers it. */
  blockSecrets: boolean;
  /** FAIL misconfigurations at or above this severity block; absent: misconfigurations never block. */
  blockMisconfigAt?: Severity;
}

export const DEFAULT_SCAN_POLICY: ScanPolicy = { severities: ['HIGH', 'CRITICAL'], ignoreUnfixed: false, blockSecrets: false };

/**
 * Trivy's vulnerability statuses (trivy-db `Statuses`). `--ignore-unfixed` is Trivy's shorthand for
 * `--ignore-status` with every status except "fixed" (pkg/flag/vulnerability_flags.go).
 */
export const TRIVY_STATUSES = [
  'unknown',
  'not_affected',
  'affected',
  'fixed',
  'under_investigation',
  'will_not_fix',
  'fix_deferred',
  'end_of_life',
] as const;

export function isUnfixed(v: { Status?: string | undefined; FixedVersion?: string | undefined }): boolean {
  if (v.Status !== undefined && v.Status !== '') return v.Status !== 'fixed';
  // Trivy omits Status for "unknown" (its zero value), which --ignore-unfixed drops. Reports from
  // releases before the Status field existed only have FixedVersion, which then decides.
  return (v.FixedVersion ?? '') === '';
}

/** The settings the deployer reads (config.ts): SCAN_SEVERITIES, SCAN_IGNORE_UNFIXED, plus the ignore file SCAN_IGNOREFILE names. */
export interface ScanSettings {
  SCAN_SEVERITIES: readonly string[];
  SCAN_IGNORE_UNFIXED: boolean;
}

export function scanPolicyFromSettings(settings: ScanSettings, ignoreFile?: IgnoreFile): Result<ScanPolicy, PolicyInputError> {
  const severities = parseSeverityList(settings.SCAN_SEVERITIES);
  if (!severities.ok) return { ok: false, error: { ...severities.error, message: `SCAN_SEVERITIES: ${severities.error.message}` } };
  return {
    ok: true,
    value: {
      severities: severities.value,
      ignoreUnfixed: settings.SCAN_IGNORE_UNFIXED,
      blockSecrets: false,
      ...(ignoreFile && { ignoreFile }),
    },
  };
}
