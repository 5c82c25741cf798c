/** The scan gate's policy: pure functions shared by the pipeline and the CLI. */
export { parseTrivyReport } from './report.js';
export { TrivyReport } from './schema.js';
export { evaluateScan } from './evaluate.js';
export { DEFAULT_SCAN_POLICY, TRIVY_STATUSES, isUnfixed, scanPolicyFromSettings, type ScanPolicy } from './policy.js';
export {
  expiryTime,
  formatTrivyIgnore,
  isExpired,
  parseIgnoreFile,
  parseTrivyIgnore,
  parseTrivyIgnoreYaml,
  type IgnoreFile,
} from './ignore-file.js';
export { SEVERITIES, isSeverity as isSeverityName, parseSeverityList } from './severity.js';
export { COMMIT_STATUS_MAX, verdictStatusLine } from './summary.js';
export { verdictCacheKey } from './cache-key.js';
export type { ScanVerdict } from './verdict.js';
export { renderVerdictTable } from './table.js';
