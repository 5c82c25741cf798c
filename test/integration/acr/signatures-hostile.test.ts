/**
 * What a broken or hostile registry can hold where signatures are looked for: every read is bounded and
 * every refusal is a note the gate records, never a crash, an unbounded read or a pass.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignatureFinder, SIGNATURE_LIMITS } from '../../../src/services/adapters/acr/signatures.js';
import { createHttpsSend, type HttpSend } from '../../../src/services/adapters/acr/https.js';
import { redactor } from '../../../src/services/adapters/acr/errors.js';
import { startAcrFake, type AcrFake } from '../../../src/sandbox/acr/fake.js';
import { staticCredential } from './helpers.js';

const repo = 'tailspin-server';
const SIG = 'application/vnd.dev.cosign.artifact.sig.v1+json';
const SIMPLE = 'application/vnd.dev.cosign.simplesigning.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

describe('signature lookup against a hostile registry', () => {
  let fake: AcrFake;
  beforeAll(async () => {
    fake = await startAcrFake();
  });
  afterAll(async () => fake.stop());

  const finder = (send?: HttpSend) =>
    createSignatureFinder({
      loginServer: fake.loginServer,
      endpoint: fake.url,
      credential: staticCredential,
      aadScope: 'https://management.azure.com/.default',
      send: send ?? createHttpsSend({ ca: fake.ca, timeoutMs: 2_000, maxBytes: 64 * 1024 * 1024 }),
      clock: { now: () => new Date() },
      redact: redactor(() => []),
    });
  const sigTag = (digest: string) => `${digest.replace(':', '-')}.sig`;
  const sigManifest = (layers: unknown[], extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: fake.putBlob('{}'), size: 2 },
      layers,
      ...extra,
    });
  const layer = (bytes: string, size?: number) => ({
    mediaType: SIMPLE,
    digest: fake.putBlob(bytes),
    size: size ?? Buffer.byteLength(bytes),
    annotations: { 'dev.cosignproject.cosign/signature': 'MEUCIQ==' },
  });
  const find = async (digest: string, send?: HttpSend) => {
    const res = await finder(send)({ repository: repo, digest });
    if (!res.ok) throw new Error(res.error.message);
    return res.value;
  };

  it('refuses a signature manifest larger than the bound, unread', async () => {
    const digest = fake.pushImage(repo);
    fake.putRawManifest(
      repo,
      sigManifest([layer('{}')], { padding: 'x'.repeat(SIGNATURE_LIMITS.manifestBytes) }),
      { mediaType: OCI_MANIFEST },
      sigTag(digest),
    );
    const found = await find(digest);
    expect(found.candidates).toEqual([]);
    expect(found.notes).toEqual([`tag ${sigTag(digest)}: manifest larger than ${SIGNATURE_LIMITS.manifestBytes} bytes refused unread`]);
  });

  it('refuses a payload that declares a huge size, and one that is larger than it declares', async () => {
    const digest = fake.pushImage(repo);
    const big = 'y'.repeat(SIGNATURE_LIMITS.payloadBytes + 1);
    fake.putRawManifest(
      repo,
      sigManifest([layer('{"a":1}', 50 * 1024 * 1024), layer(big, 10)]),
      { mediaType: OCI_MANIFEST },
      sigTag(digest),
    );
    const found = await find(digest);
    expect(found.candidates).toEqual([]);
    expect(found.notes).toEqual([
      `tag ${sigTag(digest)}: payload of ${50 * 1024 * 1024} bytes refused unread`,
      expect.stringMatching(/payload sha256:\w+ missing, too large or not matching its digest$/),
    ]);
  });

  it.each([
    ['not JSON', '{"layers": [', 'not an image manifest'],
    [
      'an index, not a manifest',
      JSON.stringify({ mediaType: 'application/vnd.oci.image.index.v1+json', layers: [] }),
      'is not an image manifest',
    ],
    ['layers that are not descriptors', JSON.stringify({ layers: [1, 'x', { mediaType: SIMPLE }] }), undefined],
  ])('a signature tag holding %s yields no candidate and no crash', async (_name, body, note) => {
    const digest = fake.pushImage(repo);
    fake.putRawManifest(repo, body, { mediaType: OCI_MANIFEST }, sigTag(digest));
    const found = await find(digest);
    expect(found.candidates).toEqual([]);
    if (note) expect(found.notes.join()).toContain(note);
  });

  it('ignores layers of other media types and reads a payload only once when listed twice', async () => {
    const digest = fake.pushImage(repo);
    const l = layer('{"critical":{}}');
    fake.putRawManifest(
      repo,
      sigManifest([{ ...l, mediaType: 'application/octet-stream' }, l, l]),
      { mediaType: OCI_MANIFEST },
      sigTag(digest),
    );
    expect((await find(digest)).candidates).toHaveLength(1);
  });

  it('reads only the first referrers when a digest has very many, and says so', async () => {
    const digest = fake.pushImage(repo);
    for (let i = 0; i < 40; i++)
      fake.putRawManifest(repo, sigManifest([layer(`{"n":${i}}`)], { subject: { digest }, artifactType: SIG }), {
        mediaType: OCI_MANIFEST,
        artifactType: SIG,
        subject: digest,
      });
    const before = fake.calls.length;
    const found = await find(digest);
    expect(found.looked[0]).toBe('referrers: 40 signature manifests');
    expect(found.notes).toContain(`referrers: only the first ${SIGNATURE_LIMITS.manifests} of 40 were read`);
    expect(found.candidates).toHaveLength(SIGNATURE_LIMITS.manifests);
    // token exchange (2) + referrers + 16 manifests + tag + 16 payloads: bounded whatever the registry holds.
    expect(fake.calls.length - before).toBe(2 + 1 + SIGNATURE_LIMITS.manifests + 1 + SIGNATURE_LIMITS.manifests);
  });

  it('skips referrers of other artifact types even when the registry ignores the filter', async () => {
    const digest = fake.pushImage(repo);
    const sbom = fake.putRawManifest(repo, sigManifest([layer('{}')], { subject: { digest } }), {
      mediaType: OCI_MANIFEST,
      artifactType: 'application/spdx+json',
      subject: digest,
    });
    const send = createHttpsSend({ ca: fake.ca, timeoutMs: 2_000, maxBytes: 1024 * 1024 });
    const unfiltered: HttpSend = (req) => send({ ...req, url: req.url.replace(/\?artifactType=.*$/, '') });
    const found = await find(digest, unfiltered);
    expect(found.looked[0]).toBe('referrers: 0 signature manifests');
    expect(fake.calls.some((c) => c.path.endsWith(`/manifests/${sbom}`))).toBe(false);
  });

  it('a rate-limited registry is an error the gate waits on, with its Retry-After', async () => {
    const digest = fake.pushImage(repo);
    const send = createHttpsSend({ ca: fake.ca, timeoutMs: 2_000, maxBytes: 1024 * 1024 });
    const limited: HttpSend = (req) =>
      req.url.includes('/referrers/') ? Promise.resolve({ status: 429, headers: { 'retry-after': '7' }, body: '' }) : send(req);
    const res = await finder(limited)({ repository: repo, digest });
    expect(res).toMatchObject({ ok: false, error: { kind: 'rate-limited', retryAfterMs: 7000 } });
  });

  it('a registry that is down or too slow is a transient error', async () => {
    const digest = fake.pushImage(repo);
    const slow: HttpSend = () => Promise.reject(new Error('request to registry timed out after 2000 ms'));
    expect(await finder(slow)({ repository: repo, digest })).toMatchObject({ ok: false, error: { kind: 'transient' } });
    const down = await startAcrFake();
    await down.stop();
    const unreachable = createSignatureFinder({
      loginServer: down.loginServer,
      endpoint: down.url,
      credential: staticCredential,
      aadScope: 'x',
      send: createHttpsSend({ ca: down.ca, timeoutMs: 2_000, maxBytes: 1024 }),
      clock: { now: () => new Date() },
      redact: redactor(() => []),
    });
    expect(await unreachable({ repository: repo, digest })).toMatchObject({ ok: false, error: { kind: 'transient' } });
  });

  it('refuses a target that is not a repository and digest before any call', async () => {
    expect(await finder()({ repository: 'Bad Repo', digest: 'sha256:nope' })).toMatchObject({ ok: false, error: { kind: 'invalid' } });
  });
});

describe('signature payloads behind a redirect (ACR serves blobs from storage)', () => {
  it('follows one redirect without the registry token', async () => {
    const seen: { url: string; auth?: string }[] = [];
    const payload = Buffer.from('{"critical":{}}');
    const { createHash } = await import('node:crypto');
    const digest = `sha256:${createHash('sha256').update(payload).digest('hex')}`;
    const target = `sha256:${'c'.repeat(64)}`;
    const manifest = JSON.stringify({ layers: [{ mediaType: SIMPLE, digest, size: payload.length, annotations: {} }] });
    const send: HttpSend = (req) => {
      seen.push({ url: req.url, ...(req.headers?.authorization ? { auth: req.headers.authorization } : {}) });
      const u = new URL(req.url);
      if (u.pathname === '/oauth2/exchange') return Promise.resolve({ status: 200, headers: {}, body: '{"refresh_token":"r"}' });
      if (u.pathname === '/oauth2/token') return Promise.resolve({ status: 200, headers: {}, body: '{"access_token":"a"}' });
      if (u.pathname.includes('/referrers/')) return Promise.resolve({ status: 404, headers: {}, body: '' });
      if (u.pathname.endsWith('.sig')) return Promise.resolve({ status: 200, headers: {}, body: manifest });
      if (u.pathname.includes('/blobs/'))
        return Promise.resolve({ status: 307, headers: { location: 'https://storage.example/blob?sig=x' }, body: '' });
      return Promise.resolve({ status: 200, headers: {}, body: payload.toString() });
    };
    const find = createSignatureFinder({
      loginServer: 'r.azurecr.io',
      endpoint: 'https://r.azurecr.io',
      credential: staticCredential,
      aadScope: 'x',
      send,
      clock: { now: () => new Date() },
      redact: redactor(() => []),
    });
    const res = await find({ repository: repo, digest: target });
    expect(res.ok && res.value.candidates.map((c) => Buffer.from(c.payload).toString())).toEqual(['{"critical":{}}']);
    expect(res.ok && res.value.looked).toEqual(['referrers: none (API not offered)', `tag ${target.replace(':', '-')}.sig`]);
    expect(seen.at(-1)).toEqual({ url: 'https://storage.example/blob?sig=x' });
    expect(seen.at(-2)?.auth).toBe('Bearer a');
  });
});
