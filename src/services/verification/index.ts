/**
 * Release verification as a statistical decision: pure functions shared by the pipeline, the
 * verify-plan CLI and the benchmark. No I/O, no clock, no SDK.
 */
export {
  decideVerification,
  type Look,
  type LookEvidence,
  type MetricEvidence,
  type VerificationDecision,
  type VerificationInput,
  type VerificationOutcome,
  type VerificationReason,
  type WeightedCounts,
} from './decide.js';
export { type Counts, type MetricComparison, ratioTestPValue } from './baseline.js';
export {
  DEFAULT_VERIFICATION_SETTINGS,
  LATENCY_QUANTILE,
  VerificationSettings,
  hypotheses,
  minRequestsForHealthy,
  verificationSettings,
  verificationSettingsProblem,
  type Hypothesis,
  type Metric,
  type VerificationSettingsInput,
} from './settings.js';
export { llr, requestsToHealthy, testState, type Side, type TestState, type WindowEndTest } from './sprt.js';
export { percent } from './verdict.js';
export { VERIFICATION_ENV, verificationSettingsFromConfig, type VerificationConfig } from './env.js';
export { DEFAULT_LATENCY_SIGMA, slowFraction, trafficProblem, type TrafficModel } from './traffic.js';
export { monteCarlo, sampleTimes, simulateRun, type PlanSummary, type RunResult, type SamplingPlan } from './simulate.js';
export {
  ERROR_MULTIPLES,
  LATENCY_MULTIPLES,
  gridReleases,
  planGrid,
  suggestWindow,
  type GridOptions,
  type PlanRow,
  type WindowSuggestion,
} from './plan.js';
export { evidenceMarkdown, type Evidence } from './evidence.js';
export { combineDecisions } from './combine.js';
