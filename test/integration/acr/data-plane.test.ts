/**
 * The registry data plane's shared parts against the fake: one pull token per repository kept until it
 * expires (labels + signatures of a digest cost one exchange), and the config blob read bounded like
 * every other blob read.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DIGEST, harness } from './helpers.js';
import type { AcrFake } from '../../../src/sandbox/acr/fake.js';

const COMMIT = 'c0ffee'.padEnd(40, '0');
let fakes: AcrFake[] = [];
afterEach(async () => {
  for (const f of fakes) f.assertNoUnexpectedCalls();
  await Promise.all(fakes.map((f) => f.stop()));
  fakes = [];
});

async function setup() {
  let offsetMs = 0;
  const h = await harness({}, { clock: { now: () => new Date(Date.now() + offsetMs) } });
  fakes.push(h.fake);
  h.fake.tag('tailspin-server', COMMIT, DIGEST);
  h.fake.tag('tailspin-client', COMMIT, DIGEST);
  h.fake.setLabels(DIGEST, { 'org.opencontainers.image.revision': COMMIT });
  const count = (path: string) => h.fake.calls.filter((c) => c.path === path).length;
  return {
    ...h,
    exchanges: () => count('/oauth2/exchange'),
    accessTokens: () => count('/oauth2/token'),
    later: (ms: number) => void (offsetMs += ms),
  };
}

describe('registry tokens: one exchange, kept per repository until they expire', () => {
  it('a digest’s labels and its signatures share one token exchange', async () => {
    const { fake, acr, exchanges, accessTokens } = await setup();
    expect(await acr.tags.revision('tailspin-server', DIGEST)).toEqual({ ok: true, value: COMMIT });
    expect(await acr.signatures.find({ registry: fake.loginServer, repository: 'tailspin-server', digest: DIGEST })).toMatchObject({
      ok: true,
    });
    expect(await acr.builder.resolveTag('tailspin-server', COMMIT)).toEqual({ ok: true, value: DIGEST });
    expect([exchanges(), accessTokens()]).toEqual([1, 1]);
    // another repository: its own pull token, from the refresh token already held
    expect(await acr.tags.revision('tailspin-client', DIGEST)).toEqual({ ok: true, value: COMMIT });
    expect([exchanges(), accessTokens()]).toEqual([1, 2]);
  });

  it('concurrent reads of one repository wait for one token', async () => {
    const { acr, exchanges, accessTokens } = await setup();
    const reads = await Promise.all([1, 2, 3].map(() => acr.tags.revision('tailspin-server', DIGEST)));
    expect(reads.every((r) => r.ok)).toBe(true);
    expect([exchanges(), accessTokens()]).toEqual([1, 1]);
  });

  it('an access token is not used past its expiry; a refresh token past its own', async () => {
    const { acr, exchanges, accessTokens, later } = await setup();
    await acr.tags.revision('tailspin-server', DIGEST);
    later(3600_000); // the fake's access tokens live an hour, its refresh tokens three
    await acr.tags.revision('tailspin-server', DIGEST);
    expect([exchanges(), accessTokens()]).toEqual([1, 2]);
    later(2 * 3600_000);
    await acr.tags.revision('tailspin-server', DIGEST);
    expect([exchanges(), accessTokens()]).toEqual([2, 3]);
  });

  it('tokens the registry stopped taking are dropped and fetched again once', async () => {
    const { fake, acr, exchanges } = await setup();
    await acr.tags.revision('tailspin-server', DIGEST);
    fake.revokeTokens();
    expect(await acr.tags.revision('tailspin-server', DIGEST)).toEqual({ ok: true, value: COMMIT });
    expect(exchanges()).toBe(2);
  });
});

describe('the config blob is read bounded', () => {
  it('a config larger than the limit is refused unread, and the reason says so', async () => {
    const { fake, acr } = await setup();
    fake.setLabels(DIGEST, { 'org.opencontainers.image.revision': COMMIT, padding: 'x'.repeat(2 * 1024 * 1024) });
    const read = await acr.tags.revision('tailspin-server', DIGEST);
    expect(read).toMatchObject({ ok: false, error: { kind: 'invalid' } });
    expect(!read.ok && read.error.message).toMatch(/config of tailspin-server@sha256:.* is larger than 1048576 bytes: refused unread/);
  });
});
