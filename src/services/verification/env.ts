/**
 * The app settings the rule adds, as zod fields config.ts can spread into its Settings object
 * (`...VERIFICATION_ENV`), and the mapping from validated config to VerificationSettings. Names,
 * defaults and meaning live here, next to the rule they tune.
 */
import { z } from 'zod';
import { verificationSettingsProblem, VerificationSettings } from './settings.js';

const flag = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

export const VERIFICATION_ENV = {
  /** A release whose rate is at most this fraction of the threshold counts as healthy (its false rollbacks are bounded). */
  VERIFY_HEALTHY_RATIO: z.coerce.number().gt(0).lt(1).default(0.5),
  /** A release whose rate is at least this multiple of the threshold counts as failing (its misses are bounded). */
  VERIFY_FAILING_RATIO: z.coerce.number().gt(1).max(100).default(2),
  /** Largest probability of rolling back a healthy release, per metric (α). */
  VERIFY_FALSE_ROLLBACK_MAX: z.coerce.number().gt(0).max(0.2).default(0.01),
  /** Largest probability of passing a failing release as healthy, per metric (β). */
  VERIFY_MISSED_BREACH_MAX: z.coerce.number().gt(0).max(0.2).default(0.01),
  /** Regression warning when the new version is significantly worse than this multiple of its pre-deploy baseline. */
  VERIFY_REGRESSION_RATIO: z.coerce.number().min(1).max(100).default(1.5),
  /** Pass as soon as both metrics are proven healthy instead of watching the whole window. */
  VERIFY_EARLY_PASS: flag.default(false),
  /** The baseline itself breaches (old version failing too): keep the release (not its fault) or roll back anyway. */
  VERIFY_BASELINE_BREACH: z.enum(['keep', 'rollback']).default('keep'),
};

export interface VerificationConfig {
  VERIFY_ERROR_RATE_MAX: number;
  VERIFY_P95_MS_MAX: number;
  VERIFY_MIN_REQUESTS: number;
  VERIFY_HEALTHY_RATIO: number;
  VERIFY_FAILING_RATIO: number;
  VERIFY_FALSE_ROLLBACK_MAX: number;
  VERIFY_MISSED_BREACH_MAX: number;
  VERIFY_REGRESSION_RATIO: number;
  VERIFY_EARLY_PASS: boolean;
}

/** The rule's settings from validated config; throws RangeError naming the settings when they make no test. */
export function verificationSettingsFromConfig(c: VerificationConfig): VerificationSettings {
  const parsed = VerificationSettings.safeParse({
    errorRateMax: c.VERIFY_ERROR_RATE_MAX,
    p95MsMax: c.VERIFY_P95_MS_MAX,
    minRequests: c.VERIFY_MIN_REQUESTS,
    healthyRatio: c.VERIFY_HEALTHY_RATIO,
    failingRatio: c.VERIFY_FAILING_RATIO,
    falseRollbackMax: c.VERIFY_FALSE_ROLLBACK_MAX,
    missedBreachMax: c.VERIFY_MISSED_BREACH_MAX,
    regressionRatio: c.VERIFY_REGRESSION_RATIO,
    earlyPass: c.VERIFY_EARLY_PASS,
  });
  if (!parsed.success) {
    const field = String(parsed.error.issues[0]?.path[0] ?? '');
    const name = field === 'errorRateMax' ? 'VERIFY_ERROR_RATE_MAX' : field === 'p95MsMax' ? 'VERIFY_P95_MS_MAX' : field;
    throw new RangeError(`${name}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  }
  const problem = verificationSettingsProblem(parsed.data);
  if (problem) throw new RangeError(problem);
  return parsed.data;
}
