import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/services/config.js';
import { DEFAULT_VERIFICATION_SETTINGS } from '../../../src/services/verification/index.js';

const base = { AzureWebJobsStorage: 'UseDevelopmentStorage=true', GITHUB_WEBHOOK_SECRET: 'a-secret-of-sixteen+' };

function problems(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
}

describe('loadConfig', () => {
  it('accepts the minimum and fills documented defaults', () => {
    const c = loadConfig(base);
    expect(c.VERIFY_ERROR_RATE_MAX).toBe(0.01);
    expect(c.VERIFY_P95_MS_MAX).toBe(2000);
    expect(c.VERIFY_MIN_REQUESTS).toBe(50);
    expect(c.SCAN_SEVERITIES).toEqual(['HIGH', 'CRITICAL']);
    expect(c.catalog.apps.map((a) => a.name)).toEqual(['tailspin-server', 'tailspin-client']);
    expect(c.verification).toEqual(DEFAULT_VERIFICATION_SETTINGS);
    expect(c.VERIFY_BASELINE_BREACH).toBe('keep');
  });

  it('maps the VERIFY_* settings onto the verification rule', () => {
    const c = loadConfig({ ...base, VERIFY_MIN_REQUESTS: '200', VERIFY_MISSED_BREACH_MAX: '0.05', VERIFY_EARLY_PASS: 'true' });
    expect(c.verification).toMatchObject({ minRequests: 200, missedBreachMax: 0.05, earlyPass: true, errorRateMax: 0.01, p95MsMax: 2000 });
  });

  it.each([
    [{ AzureWebJobsStorage: 'AccountName=x' }, /^AzureWebJobsStorage: expected "UseDevelopmentStorage=true" or/],
    [{ AzureWebJobsStorage: undefined }, /^AzureWebJobsStorage: is missing/],
    [{ GITHUB_WEBHOOK_SECRET: undefined }, /^GITHUB_WEBHOOK_SECRET: is missing/],
    [{ GITHUB_WEBHOOK_SECRET: 'short' }, /^GITHUB_WEBHOOK_SECRET: must be at least 16 characters/],
    [{ VERIFY_ERROR_RATE_MAX: '5' }, /^VERIFY_ERROR_RATE_MAX: /],
    [{ GITHUB_REPOSITORY: 'no-slash' }, /^GITHUB_REPOSITORY: expected "owner\/name"/],
    [{ TAILSPIN_CATALOG: '{not json' }, /^TAILSPIN_CATALOG: expected JSON/],
    [{ ACR_LOGIN_SERVER: 'Bad Host' }, /^ACR_LOGIN_SERVER: /],
    [{ VERIFY_HEALTHY_RATIO: '1.5' }, /^VERIFY_HEALTHY_RATIO: /],
    [{ VERIFY_FALSE_ROLLBACK_MAX: '0' }, /^VERIFY_FALSE_ROLLBACK_MAX: /],
    [{ VERIFY_EARLY_PASS: 'sometimes' }, /^VERIFY_EARLY_PASS: /],
    [{ VERIFY_BASELINE_BREACH: 'ignore' }, /^VERIFY_BASELINE_BREACH: /],
    [{ VERIFY_ERROR_RATE_MAX: '0' }, /^VERIFY_ERROR_RATE_MAX: /],
    [{ VERIFY_FAILING_RATIO: '60' }, /lower VERIFY_FAILING_RATIO\)$/],
    [{ VERIFY_FAILING_RATIO: '3', VERIFY_ERROR_RATE_MAX: '0.4' }, /VERIFY_FAILING_RATIO or VERIFY_ERROR_RATE_MAX/],
  ])('%j → a message naming the setting', (over, message) => {
    const p = problems({ ...base, ...over });
    expect(p.length).toBeGreaterThan(0);
    expect(p.some((x) => message.test(x))).toBe(true);
  });

  it('accepts the managed-identity storage form Terraform sets', () => {
    const c = loadConfig({ GITHUB_WEBHOOK_SECRET: base.GITHUB_WEBHOOK_SECRET, AzureWebJobsStorage__accountName: 'sttailspin01' });
    expect(c.AzureWebJobsStorage).toBeUndefined();
    expect(c.AzureWebJobsStorage__accountName).toBe('sttailspin01');
  });
});
