import { describe, expect, it } from 'vitest';
import { createGitHubCodeScanning, fetchTrusting } from '../../../src/services/adapters/github/index.js';
import { startGitHubFake } from '../../../src/sandbox/github/server.js';
import { trivyToSarif } from '../../../src/services/sarif/from-trivy.js';
import { sharedText } from '../../helpers/fixtures.js';
import { COMMIT, REPO, TOKEN, expectUnexpectedCalls, fakeAndAdapter, value } from './harness.js';

const sarif = value(trivyToSarif(JSON.parse(sharedText('trivy', 'alpine-39-high-critical.json.golden'))));

async function scanning() {
  const { fake } = await fakeAndAdapter();
  const cs = createGitHubCodeScanning({ repository: REPO, baseUrl: fake.url, auth: { token: TOKEN }, ca: fake.ca });
  return { fake, cs };
}

describe('code scanning SARIF uploads (over the wire, validated against GitHub’s description)', () => {
  it('uploads gzip+base64 SARIF with commit, ref and the app’s category, then follows processing', async () => {
    const { fake, cs } = await scanning();
    fake.state.sarifPendingReads = 1;
    const up = value(await cs.upload({ commit: COMMIT, ref: 'refs/heads/main', category: 'tailspin-deployer/tailspin-server', sarif }));
    expect(up.url).toMatch(new RegExp(`/repos/${REPO}/code-scanning/sarifs/${up.id}$`));
    const rec = fake.state.sarifs[0]!;
    expect(rec).toMatchObject({
      commitSha: COMMIT,
      ref: 'refs/heads/main',
      toolName: 'Trivy',
      categories: ['tailspin-deployer/tailspin-server'],
    });
    expect(rec.results.length).toBe(sarif.runs[0]!.results.length);
    expect(new Set(rec.results.map((r) => r.level))).toEqual(new Set(['error']));
    expect(value(await cs.status(up.id))).toEqual({ processing: 'pending' });
    expect(value(await cs.status(up.id))).toEqual({
      processing: 'complete',
      analysesUrl: expect.stringMatching(new RegExp(`/code-scanning/analyses\\?sarif_id=${up.id}$`)) as unknown,
    });
    expect(fake.calls.map((c) => c.operationId)).toEqual([
      'code-scanning/upload-sarif',
      'code-scanning/get-sarif',
      'code-scanning/get-sarif',
    ]);
  });

  it('processing can stay pending for a while, and fail with GitHub’s errors (validated against the description)', async () => {
    const { fake, cs } = await scanning();
    fake.state.sarifPendingSeconds = 3600;
    fake.state.sarifFailures.push(['locationFromSarifResult: expected artifact location', 'Invalid SARIF']);
    const up = value(await cs.upload({ commit: COMMIT, ref: 'refs/heads/main', category: 'tailspin-deployer/tailspin-server', sarif }));
    for (let i = 0; i < 3; i++) expect(value(await cs.status(up.id))).toEqual({ processing: 'pending' });
    fake.state.sarifPendingSeconds = 0;
    expect(value(await cs.status(up.id))).toEqual({
      processing: 'failed',
      errors: ['locationFromSarifResult: expected artifact location', 'Invalid SARIF'],
    });
    // the next upload is processed normally
    const next = value(await cs.upload({ commit: COMMIT, ref: 'refs/heads/main', category: 'tailspin-deployer/tailspin-server', sarif }));
    expect(value(await cs.status(next.id))).toMatchObject({ processing: 'complete' });
    expect(fake.unexpected).toEqual([]);
  });

  it('two apps keep separate categories', async () => {
    const { fake, cs } = await scanning();
    value(await cs.upload({ commit: COMMIT, ref: 'refs/heads/main', category: 'tailspin-deployer/tailspin-server', sarif }));
    value(await cs.upload({ commit: COMMIT, ref: 'refs/heads/main', category: 'tailspin-deployer/tailspin-client', sarif }));
    expect(fake.state.sarifs.map((s) => s.categories[0])).toEqual([
      'tailspin-deployer/tailspin-server',
      'tailspin-deployer/tailspin-client',
    ]);
  });

  it('a ref GitHub would refuse is refused by the fake (422), as an invalid error', async () => {
    expectUnexpectedCalls();
    const { fake, cs } = await scanning();
    const res = await cs.upload({ commit: COMMIT, ref: 'main', category: 'c', sarif });
    expect(res).toMatchObject({ ok: false, error: { kind: 'invalid', status: 422 } });
    expect(fake.unexpected[0]?.reason).toMatch(/ref/);
  });

  it('an outage is a transient error, never a throw', async () => {
    const { fake, cs } = await scanning();
    fake.outage(true);
    const res = await cs.upload({ commit: COMMIT, ref: 'refs/heads/main', category: 'c', sarif });
    expect(res).toMatchObject({ ok: false, error: { kind: 'transient', status: 503 } });
  });

  it('an unknown upload id is not-found', async () => {
    const { cs } = await scanning();
    expect(await cs.status('00000000-0000-0000-0000-000000000000')).toMatchObject({ ok: false, error: { kind: 'not-found' } });
  });

  it('the fake refuses a sarif field that is not gzip+base64 SARIF (400)', async () => {
    const fake = await startGitHubFake({ repository: REPO });
    try {
      const res = await fetchTrusting(fake.ca)(`${fake.url}/repos/${REPO}/code-scanning/sarifs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ commit_sha: COMMIT, ref: 'refs/heads/main', sarif: Buffer.from('{}').toString('base64') }),
      });
      expect(res.status).toBe(400);
      expect(fake.state.sarifs).toEqual([]);
    } finally {
      await fake.stop();
    }
  });
});
