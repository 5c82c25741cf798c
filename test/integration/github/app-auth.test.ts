import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { COMMIT, fakeAndAdapter, value } from './harness.js';

// A throw-away App key per run: the fake holds the public half and checks the RS256 JWT.
const { privateKey, publicKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

describe('GitHub App auth', () => {
  it('exchanges a JWT for an installation token and uses it (cached) for API calls', async () => {
    const { fake, gh } = await fakeAndAdapter(
      { token: undefined, app: { appId: 4242, publicKey, installationId: 77 } },
      // Key Vault often hands the PEM back with literal "\n"
      { auth: { appId: '4242', privateKey: privateKey.replace(/\n/g, '\\n'), installationId: '77' } },
    );
    value(await gh.setCommitStatus(COMMIT, 'ctx', 'pending', 'd'));
    value(await gh.ping());
    expect(fake.issuedTokens).toHaveLength(1);
    expect(fake.calls.map((c) => [c.operationId, c.status])).toEqual([
      ['apps/create-installation-access-token', 201],
      ['repos/list-commit-statuses-for-ref', 200],
      ['repos/create-commit-status', 201],
      ['rate-limit/get', 200],
    ]);
  });

  it('a JWT signed by another key is refused → auth', async () => {
    const other = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const { fake, gh } = await fakeAndAdapter(
      { token: undefined, app: { appId: 4242, publicKey, installationId: 77 } },
      { auth: { appId: 4242, privateKey: other.privateKey, installationId: 77 } },
    );
    expect(await gh.ping()).toMatchObject({ ok: false, error: { kind: 'auth', status: 401 } });
    expect(fake.issuedTokens).toHaveLength(0);
  });
});

describe('installation token for private-repository builds', () => {
  it('mints a GitHub App installation token through the API and reuses it', async () => {
    const { installationTokenSource } = await import('../../../src/services/adapters/github/installation-token.js');
    const { silentLogger } = await import('../../../src/services/logger.js');
    const { fake } = await fakeAndAdapter(
      { token: undefined, app: { appId: 4242, publicKey, installationId: 77 } },
      { auth: { appId: 4242, privateKey, installationId: 77 } },
    );
    const source = installationTokenSource({
      auth: { appId: 4242, privateKey, installationId: 77 },
      baseUrl: fake.url,
      ca: fake.ca,
      logger: silentLogger,
    });
    if (!source) throw new Error('expected a token source for App auth');
    const first = await source();
    expect(fake.issuedTokens).toEqual([first]);
    expect(await source()).toBe(first);
    expect(installationTokenSource({ auth: { token: 't' }, baseUrl: fake.url, logger: silentLogger })).toBeUndefined();
  });
});
