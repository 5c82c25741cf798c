import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/services/config.js';
import {
  DEFAULT_SCAN_POLICY,
  isUnfixed,
  parseIgnoreFile,
  scanPolicyFromSettings,
  TRIVY_STATUSES,
} from '../../../src/services/scan-policy/index.js';

const env = { AzureWebJobsStorage: 'UseDevelopmentStorage=true', GITHUB_WEBHOOK_SECRET: 'x'.repeat(16) };

describe('scanPolicyFromSettings', () => {
  it('maps the defaults of config.ts onto the default policy', () => {
    const r = scanPolicyFromSettings(loadConfig(env));
    expect(r).toEqual({ ok: true, value: DEFAULT_SCAN_POLICY });
  });

  it('maps SCAN_SEVERITIES and SCAN_IGNORE_UNFIXED, and carries the parsed SCAN_IGNOREFILE', () => {
    const config = loadConfig({ ...env, SCAN_SEVERITIES: 'critical', SCAN_IGNORE_UNFIXED: 'true', SCAN_IGNOREFILE: '.trivyignore.yaml' });
    const ignore = parseIgnoreFile(config.SCAN_IGNOREFILE!, 'vulnerabilities:\n  - id: CVE-1\n');
    expect(ignore.ok).toBe(true);
    const r = scanPolicyFromSettings(config, ignore.ok ? ignore.value : undefined);
    expect(r.ok && r.value).toMatchObject({ severities: ['CRITICAL'], ignoreUnfixed: true, ignoreFile: { entries: [{ id: 'CVE-1' }] } });
  });

  it('names the setting when a severity is unknown', () => {
    const r = scanPolicyFromSettings({ SCAN_SEVERITIES: ['HIGH', 'URGENT'], SCAN_IGNORE_UNFIXED: false });
    expect(r.ok === false && r.error.message).toMatch(/^SCAN_SEVERITIES: unknown severity "URGENT"/);
  });
});

describe('isUnfixed (Trivy --ignore-unfixed = ignore every status except "fixed")', () => {
  it.each(TRIVY_STATUSES.map((s) => [s, s !== 'fixed'] as const))('%s → unfixed %s', (status, unfixed) => {
    expect(isUnfixed({ Status: status, FixedVersion: '1.0' })).toBe(unfixed);
  });
});
