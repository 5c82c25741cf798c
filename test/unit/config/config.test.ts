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

// What azurerm's Flex Consumption resource writes into the app (function_app_flex_consumption_resource.go:
// "DefaultEndpointsProtocol=https;AccountName=%s;AccountKey=%s;EndpointSuffix=%s" with no key).
const KEYLESS = 'DefaultEndpointsProtocol=https;AccountName=sttailspinprodab12cd;AccountKey=;EndpointSuffix=core.windows.net';

describe('storage settings in Azure', () => {
  it('refuses a connection string with an empty AccountKey, naming the setting and the way out', () => {
    const p = problems({ ...base, AzureWebJobsStorage: KEYLESS });
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^AzureWebJobsStorage: has an empty AccountKey .*AzureWebJobsStorage__accountName/);
    expect(problems({ ...base, AzureWebJobsStorage: KEYLESS.replace('AccountKey=;', 'AccountKey= ;') })).toHaveLength(1);
    expect(problems({ ...base, AzureWebJobsStorage: KEYLESS.replace(';EndpointSuffix=core.windows.net', '') })).toHaveLength(1);
  });

  it('refuses it even beside the identity form (the Functions host would read it)', () => {
    const p = problems({ ...base, AzureWebJobsStorage: KEYLESS, AzureWebJobsStorage__accountName: 'sttailspinprodab12cd' });
    expect(p.some((x) => x.startsWith('AzureWebJobsStorage: has an empty AccountKey'))).toBe(true);
  });

  it('prefers the identity form when both are set', () => {
    const keyed = KEYLESS.replace('AccountKey=;', 'AccountKey=a2V5;');
    const c = loadConfig({ ...base, AzureWebJobsStorage: keyed, AzureWebJobsStorage__accountName: 'sttailspinprodab12cd' });
    expect(c.storage).toEqual({ accountName: 'sttailspinprodab12cd' });
    expect(loadConfig(base).storage).toEqual({ connectionString: 'UseDevelopmentStorage=true' });
  });
});

describe('Key Vault references App Service could not resolve', () => {
  const literal = '@Microsoft.KeyVault(VaultName=kvtailspinprodab12cd;SecretName=github-webhook-secret)';

  it.each(['GITHUB_WEBHOOK_SECRET', 'GITHUB_TOKEN', 'GITHUB_APP_PRIVATE_KEY', 'GITHUB_WEBHOOK_SECRET_PREVIOUS'])(
    '%s holding the literal reference is a configuration error, not a value',
    (name) => {
      const p = problems({ ...base, [name]: literal });
      expect(p).toEqual([expect.stringMatching(new RegExp(`^${name}: is an unresolved Key Vault reference`))]);
    },
  );

  it('names every unresolved setting at once and never echoes the reference', () => {
    const p = problems({ ...base, GITHUB_WEBHOOK_SECRET: literal, GITHUB_TOKEN: ` ${literal.replace('webhook-secret', 'token')}` });
    expect(p.map((x) => x.split(':')[0])).toEqual(['GITHUB_WEBHOOK_SECRET', 'GITHUB_TOKEN']);
    expect(p.join()).not.toContain('VaultName=');
  });

  it('leaves a value that merely mentions Key Vault alone', () => {
    expect(loadConfig({ ...base, GITHUB_WEBHOOK_SECRET: 'not @Microsoft.KeyVault( at the start' }).GITHUB_WEBHOOK_SECRET).toMatch(/^not/);
  });
});
