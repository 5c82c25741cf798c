/** What verify-plan computes and prints: shared by the command and its table, which import this, not each other. */
import type { PlanRow, VerificationSettings, WindowSuggestion } from '../services/verification/index.js';

export interface PlanRequest {
  settings: VerificationSettings;
  rps: number;
  errorRate?: number | undefined;
  p95Ms?: number | undefined;
  latencySigma?: number | undefined;
  windowS: number;
  intervalS: number;
  runs: number;
  seed: number;
}

export interface PlanResult {
  request: Omit<PlanRequest, 'settings'> & { settings: VerificationSettings };
  rule: { minRequestsForHealthy: { errors: number; latency: number } };
  rows: PlanRow[];
  suggestion?: WindowSuggestion;
}
