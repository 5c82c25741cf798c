import { afterEach, describe, expect, it } from 'vitest';
import { DIGEST, harness } from './helpers.js';
import type { AcrFake } from '../../../src/sandbox/acr/fake.js';

const OTHER = `sha256:${'cd'.repeat(32)}`;
const COMMIT = 'c0ffee'.padEnd(40, '0');
let fakes: AcrFake[] = [];
afterEach(async () => {
  for (const f of fakes) f.assertNoUnexpectedCalls();
  await Promise.all(fakes.map((f) => f.stop()));
  fakes = [];
});

async function withImage() {
  const h = await harness();
  fakes.push(h.fake);
  h.fake.tag('tailspin-server', COMMIT, DIGEST);
  return h;
}

describe('ImageTags over ARM importImage (the SDK against the fake)', () => {
  it('adds tags to a digest inside the registry, moving one that exists (Force)', async () => {
    const { fake, acr } = await withImage();
    fake.tag('tailspin-server', 'latest', OTHER);
    expect(await acr.tags.tag('tailspin-server', DIGEST, ['latest', 'v1.2.3'])).toEqual({ ok: true, value: undefined });
    expect(fake.digestOf('tailspin-server', 'latest')).toBe(DIGEST);
    expect(fake.digestOf('tailspin-server', 'v1.2.3')).toBe(DIGEST);
    expect(fake.digestOf('tailspin-server', COMMIT)).toBe(DIGEST);
    const call = fake.calls.find((c) => c.path.endsWith('/importImage'));
    expect(call).toMatchObject({ method: 'POST', query: { 'api-version': '2025-11-01' }, status: 202 });
    expect(call?.body).toEqual({
      source: { resourceId: fake.registryId, sourceImage: `tailspin-server@${DIGEST}` },
      targetTags: ['tailspin-server:latest', 'tailspin-server:v1.2.3'],
      mode: 'Force',
    });
    // the long-running operation was followed to its end
    expect(fake.calls.some((c) => c.path.includes('/operationResults/') && c.status === 200)).toBe(true);
  });

  it('a digest the registry does not hold is not-found, and nothing moves', async () => {
    const { fake, acr } = await withImage();
    const res = await acr.tags.tag('tailspin-server', OTHER, ['latest']);
    expect(res).toMatchObject({ ok: false, error: { kind: 'not-found', status: 404 } });
    expect(fake.digestOf('tailspin-server', 'latest')).toBeUndefined();
  });

  it('refuses hostile tags and names before calling Azure', async () => {
    const { fake, acr } = await withImage();
    for (const tags of [['latest;rm'], ['-dash'], ['x'.repeat(129)], [], ['ok', '../etc']]) {
      expect(await acr.tags.tag('tailspin-server', DIGEST, tags), JSON.stringify(tags)).toMatchObject({
        ok: false,
        error: { kind: 'invalid' },
      });
    }
    expect(await acr.tags.tag('Tailspin/../x', DIGEST, ['latest'])).toMatchObject({ ok: false, error: { kind: 'invalid' } });
    expect(await acr.tags.tag('tailspin-server', 'sha256:nothex', ['latest'])).toMatchObject({ ok: false, error: { kind: 'invalid' } });
    expect(fake.calls.filter((c) => c.path.endsWith('/importImage'))).toEqual([]);
  });

  it('throttling is rate-limited with its Retry-After, never slept through', async () => {
    const { fake, acr } = await withImage();
    fake.throttleNext(1, '7');
    expect(await acr.tags.tag('tailspin-server', DIGEST, ['latest'])).toMatchObject({
      ok: false,
      error: { kind: 'rate-limited', retryAfterMs: 7000 },
    });
  });
});

describe('the fake validates importImage against ACR’s published description', () => {
  const post = async (fake: AcrFake, body: unknown, apiVersion = '2025-11-01') => {
    const { request } = await import('node:https');
    return new Promise<{ status: number; body: string }>((resolve, reject) => {
      const r = request(
        `${fake.url}${fake.registryId}/importImage?api-version=${apiVersion}`,
        { method: 'POST', ca: fake.ca, headers: { authorization: 'Bearer t', 'content-type': 'application/json' } },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      r.on('error', reject);
      r.end(JSON.stringify(body));
    });
  };

  it('answers 400 for bodies the definitions refuse, and tags nothing', async () => {
    const { fake } = await withImage();
    const source = { resourceId: fake.registryId, sourceImage: `tailspin-server@${DIGEST}` };
    const cases: unknown[] = [
      {},
      { source: { resourceId: fake.registryId } },
      { source, targetTags: 'tailspin-server:latest' },
      { source, targetTags: ['tailspin-server:latest'], mode: 'Sometimes' },
      { source: { ...source, credentials: { username: 'u' } }, targetTags: ['tailspin-server:latest'] },
    ];
    for (const body of cases) {
      const res = await post(fake, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'InvalidRequestContent' } });
    }
    expect((await post(fake, { source, targetTags: ['tailspin-server:latest'] }, '2019-06-01-preview')).status).toBe(400);
    expect(fake.digestOf('tailspin-server', 'latest')).toBeUndefined();
  });

  it('NoForce refuses to move an existing tag (409)', async () => {
    const { fake } = await withImage();
    fake.tag('tailspin-server', 'latest', OTHER);
    const res = await post(fake, {
      source: { resourceId: fake.registryId, sourceImage: `tailspin-server@${DIGEST}` },
      targetTags: ['tailspin-server:latest'],
    });
    expect(res.status).toBe(409);
    expect(fake.digestOf('tailspin-server', 'latest')).toBe(OTHER);
  });
});

describe('the revision label of an image (registry data plane against the fake)', () => {
  it('reads org.opencontainers.image.revision from the config blob, following the storage redirect', async () => {
    const { fake, acr } = await withImage();
    fake.setLabels(DIGEST, { 'org.opencontainers.image.revision': COMMIT, 'org.opencontainers.image.source': 'https://github.com/x/y' });
    expect(await acr.tags.revision('tailspin-server', DIGEST)).toEqual({ ok: true, value: COMMIT });
    expect(fake.calls.map((c) => c.path).filter((p) => p.includes('blobs'))).toEqual([
      `/v2/tailspin-server/blobs/${DIGEST}`,
      `/_storage/blobs/${DIGEST}`,
    ]);
  });

  it('no label, or a label that is not a commit SHA, is no commit', async () => {
    const { fake, acr } = await withImage();
    expect(await acr.tags.revision('tailspin-server', DIGEST)).toEqual({ ok: true, value: undefined });
    fake.setLabels(DIGEST, { 'org.opencontainers.image.revision': 'main; rm -rf /' });
    expect(await acr.tags.revision('tailspin-server', DIGEST)).toEqual({ ok: true, value: undefined });
  });

  it('a digest the registry does not hold is not-found', async () => {
    const { acr } = await withImage();
    expect(await acr.tags.revision('tailspin-server', OTHER)).toMatchObject({ ok: false, error: { kind: 'not-found' } });
  });
});
