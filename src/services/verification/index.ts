/**
 * Release verification as a statistical decision: pure functions shared by the pipeline, the
 * verify-plan CLI and the benchmark. No I/O, no clock, no SDK.
 */
export {
  decideVerification,
  type Look,
  type VerificationDecision,
  type VerificationInput,
  type VerificationOutcome,
  type WeightedCounts,
} from './decide.js';
export { type Counts } from './baseline.js';
export {
  DEFAULT_VERIFICATION_SETTINGS,
  VerificationSettings,
  hypotheses,
  minRequestsForHealthy,
  verificationSettings,
  type Metric,
} from './settings.js';
export { percent } from './verdict.js';
export { VERIFICATION_ENV, verificationSettingsFromConfig } from './env.js';
export { DEFAULT_LATENCY_SIGMA, slowFraction, trafficProblem, type TrafficModel } from './traffic.js';
export { monteCarlo, type PlanSummary } from './simulate.js';
export { planGrid, suggestWindow, type PlanRow, type WindowSuggestion } from './plan.js';
export { evidenceMarkdown } from './evidence.js';
export { combineDecisions } from './combine.js';
