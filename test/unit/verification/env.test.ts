/** The settings phase 2 adds to config.ts: they extend the existing schema and map onto the rule. */
import { describe, expect, it } from 'vitest';
import { Settings } from '../../../src/services/config.js';
import {
  DEFAULT_VERIFICATION_SETTINGS,
  VERIFICATION_ENV,
  verificationSettingsFromConfig,
} from '../../../src/services/verification/index.js';

const withRule = Settings.extend(VERIFICATION_ENV);
const base = { GITHUB_WEBHOOK_SECRET: 'a-local-secret-of-16+', AzureWebJobsStorage: 'UseDevelopmentStorage=true' };

describe('VERIFICATION_ENV', () => {
  it('extends config.ts without clashing; unset, the production defaults give the default rule', () => {
    const c = withRule.parse(base);
    expect(c).toMatchObject({ VERIFY_BASELINE_BREACH: 'keep', VERIFY_EARLY_PASS: false, VERIFY_HEALTHY_RATIO: 0.5 });
    expect(verificationSettingsFromConfig(c)).toEqual(DEFAULT_VERIFICATION_SETTINGS);
  });

  it('reads app-setting strings', () => {
    const c = withRule.parse({
      ...base,
      VERIFY_FALSE_ROLLBACK_MAX: '0.005',
      VERIFY_FAILING_RATIO: '3',
      VERIFY_EARLY_PASS: 'yes',
      VERIFY_BASELINE_BREACH: 'rollback',
    });
    expect(verificationSettingsFromConfig(c)).toMatchObject({ falseRollbackMax: 0.005, failingRatio: 3, earlyPass: true });
  });

  it('names the setting when values make no test', () => {
    expect(withRule.safeParse({ ...base, VERIFY_HEALTHY_RATIO: '1.2' }).success).toBe(false);
    const zero = withRule.parse({ ...base, VERIFY_ERROR_RATE_MAX: '0' });
    expect(() => verificationSettingsFromConfig(zero)).toThrow(/^VERIFY_ERROR_RATE_MAX: /);
    const high = withRule.parse({ ...base, VERIFY_ERROR_RATE_MAX: '0.6' });
    expect(() => verificationSettingsFromConfig(high)).toThrow(/VERIFY_FAILING_RATIO or VERIFY_ERROR_RATE_MAX/);
  });
});
