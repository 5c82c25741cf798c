/** The scan gate's policy: pure functions shared by the pipeline and the CLI. */
export { parseTrivyReport } from './report.js';
export { TrivyReport } from './schema.js';
export { evaluateScan, type EvaluateOptions } from './evaluate.js';
export { DEFAULT_SCAN_POLICY, TRIVY_STATUSES, isUnfixed, scanPolicyFromSettings, type ScanPolicy, type ScanSettings } from './policy.js';
export {
  IGNORE_SECTIONS,
  expiryTime,
  formatTrivyIgnore,
  isExpired,
  parseIgnoreFile,
  parseTrivyIgnore,
  parseTrivyIgnoreYaml,
  type IgnoreEntry,
  type IgnoreFile,
  type IgnoreSection,
} from './ignore-file.js';
export {
  SEVERITIES,
  isSeverity as isSeverityName,
  parseSeverityList,
  type PolicyInputError,
  type Severity,
  type SeverityCounts,
} from './severity.js';
export { COMMIT_STATUS_MAX, verdictStatusLine } from './summary.js';
export { verdictCacheKey } from './cache-key.js';
export type { Finding, FindingKind, IgnoredFinding, IgnoreEntryRef, IgnoreReason, ScanVerdict, TrivyDbInfo } from './verdict.js';
export { renderVerdictTable } from './table.js';
