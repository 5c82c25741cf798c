import { describe, expect, it } from 'vitest';
import { sign, signatureVerifier, verifySignature } from '../../../src/services/intake/signature.js';

const secrets = { current: 'current-secret-0123456789', previous: 'previous-secret-0123456789' };
const body = Buffer.from(JSON.stringify({ ref: 'refs/heads/main', note: 'ünïcödé' }));

describe('X-Hub-Signature-256, checked while the body streams', () => {
  it('chunk by chunk gives the same verdict as the whole body, for either secret while rotating', () => {
    for (const [secret, which] of [
      [secrets.current, 'current'],
      [secrets.previous, 'previous'],
    ] as const) {
      const v = signatureVerifier(sign(secret, body), secrets);
      if ('ok' in v) throw new Error(v.reason);
      for (let i = 0; i < body.length; i += 7) v.update(body.subarray(i, i + 7));
      expect(v.verdict()).toEqual({ ok: true, secret: which });
      expect(verifySignature(body, sign(secret, body), secrets)).toEqual({ ok: true, secret: which });
    }
  });

  it('a missing or malformed header fails before any byte is needed; a wrong one after the last', () => {
    expect(signatureVerifier(null, secrets)).toEqual({ ok: false, reason: 'missing X-Hub-Signature-256 header' });
    expect(signatureVerifier('sha1=abc', secrets)).toMatchObject({ ok: false, reason: expect.stringMatching(/sha256=/) });
    const v = signatureVerifier(sign('not-the-secret-at-all', body), { current: secrets.current });
    if ('ok' in v) throw new Error(v.reason);
    v.update(body);
    expect(v.verdict()).toEqual({ ok: false, reason: 'signature does not match the configured webhook secret' });
    expect(verifySignature(body, sign(secrets.previous, body), { current: secrets.current })).toMatchObject({ ok: false });
  });
});
