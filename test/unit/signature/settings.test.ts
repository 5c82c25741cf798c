import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/services/config.js';
import { signatureSettings } from '../../../src/services/signature/settings.js';

const base = { AzureWebJobsStorage: 'UseDevelopmentStorage=true', GITHUB_WEBHOOK_SECRET: 'a-secret-of-sixteen+' };
const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();

const problems = (env: Record<string, string>): string[] => {
  try {
    signatureSettings(loadConfig({ ...base, ...env }));
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
};

describe('signature gate settings', () => {
  it('is off by default and needs no key then', () => {
    expect(signatureSettings(loadConfig(base))).toEqual({ policy: 'off', keys: [], deadlineSeconds: 300, pollSeconds: 10 });
  });

  it('reads SIGNATURE_POLICY, COSIGN_PUBLIC_KEY (a one-line PEM too) and SIGNATURE_DEADLINE_SECONDS', () => {
    const s = signatureSettings(
      loadConfig({ ...base, SIGNATURE_POLICY: 'enforce', COSIGN_PUBLIC_KEY: pem.replace(/\n/g, '\\n'), SIGNATURE_DEADLINE_SECONDS: '60' }),
    );
    expect(s).toMatchObject({ policy: 'enforce', deadlineSeconds: 60, keys: [{ type: 'ec' }] });
  });

  it('stops start-up when a gate is on without a key, or the key is unreadable, naming the setting', () => {
    expect(problems({ SIGNATURE_POLICY: 'warn' })).toEqual([
      "COSIGN_PUBLIC_KEY: is missing (SIGNATURE_POLICY or an app's signaturePolicy is warn or enforce)",
    ]);
    expect(problems({ COSIGN_PUBLIC_KEY: 'not a key' })[0]).toMatch(/^COSIGN_PUBLIC_KEY: expected one or more PEM/);
    expect(() => loadConfig({ ...base, SIGNATURE_POLICY: 'strict' })).toThrow(/SIGNATURE_POLICY/);
  });

  it("an app's signaturePolicy in the catalog turns the gate on for that app only", () => {
    const catalog = loadConfig(base).catalog;
    const apps = catalog.apps.map((a, i) => (i === 0 ? { ...a, signaturePolicy: 'enforce' } : a));
    expect(problems({ TAILSPIN_CATALOG: JSON.stringify({ ...catalog, apps }) })).toEqual([
      "COSIGN_PUBLIC_KEY: is missing (SIGNATURE_POLICY or an app's signaturePolicy is warn or enforce)",
    ]);
    const c = loadConfig({ ...base, TAILSPIN_CATALOG: JSON.stringify({ ...catalog, apps }), COSIGN_PUBLIC_KEY: pem });
    expect(c.catalog.apps.map((a) => a.signaturePolicy)).toEqual(['enforce', undefined]);
  });
});
