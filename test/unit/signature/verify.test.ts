import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { judgeSignatures, parsePublicKeys, type SignatureCandidate, type TrustedKey } from '../../../src/services/signature/index.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const OTHER = `sha256:${'b'.repeat(64)}`;

const payloadFor = (digest: string, type = 'cosign container image signature') =>
  Buffer.from(
    JSON.stringify({
      critical: {
        identity: { 'docker-reference': 'tailspinacr.azurecr.io/tailspin-server' },
        image: { 'docker-manifest-digest': digest },
        type,
      },
      optional: null,
    }),
  );

function keyPair(kind: 'ec' | 'ed25519' | 'rsa') {
  const pair =
    kind === 'ec'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : kind === 'rsa'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 })
        : generateKeyPairSync('ed25519');
  const pem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return { privateKey: pair.privateKey, pem };
}

const signed = (privateKey: KeyObject, payload: Buffer, kind: 'ec' | 'ed25519' | 'rsa' = 'ec'): SignatureCandidate => ({
  source: 'tag sha256-aaaa.sig',
  payload,
  signature: sign(kind === 'ed25519' ? null : 'sha256', payload, privateKey).toString('base64'),
});

const keysOf = (...pems: string[]): TrustedKey[] => {
  const parsed = parsePublicKeys(pems.join('\n'));
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
};

describe('signature gate judgement', () => {
  const ours = keyPair('ec');
  const theirs = keyPair('ec');

  it.each(['ec', 'ed25519', 'rsa'] as const)('accepts a %s signature over the simple-signing payload for exactly this digest', (kind) => {
    const k = keyPair(kind);
    const j = judgeSignatures(DIGEST, [signed(k.privateKey, payloadFor(DIGEST), kind)], keysOf(k.pem));
    expect(j.outcome).toBe('verified');
    expect(j.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(j.summary).toContain(DIGEST);
  });

  it('refuses a signature by another key', () => {
    const j = judgeSignatures(DIGEST, [signed(theirs.privateKey, payloadFor(DIGEST))], keysOf(ours.pem));
    expect(j.outcome).toBe('invalid');
    expect(j.refused[0]!.why).toContain('does not verify');
  });

  it('refuses a valid signature made for another digest', () => {
    const j = judgeSignatures(DIGEST, [signed(ours.privateKey, payloadFor(OTHER))], keysOf(ours.pem));
    expect(j.outcome).toBe('invalid');
    expect(j.refused[0]!.why).toContain(`signed for another digest (${OTHER})`);
  });

  it('says unsigned when nothing was found, naming where it looked', () => {
    const j = judgeSignatures(DIGEST, [], keysOf(ours.pem), ['referrers: 0 signature manifests', 'tag sha256-aaaa.sig: none']);
    expect(j.outcome).toBe('unsigned');
    expect(j.summary).toContain('tag sha256-aaaa.sig: none');
  });

  it('accepts when any one of several signatures verifies, and any one of several keys (rotation)', () => {
    const bad = signed(theirs.privateKey, payloadFor(DIGEST));
    const good = signed(ours.privateKey, payloadFor(DIGEST));
    const j = judgeSignatures(DIGEST, [bad, good], keysOf(keyPair('ec').pem, ours.pem));
    expect(j.outcome).toBe('verified');
    expect(j.refused).toHaveLength(1);
  });

  it.each([
    ['not JSON', Buffer.from('{not json')],
    ['no digest', Buffer.from(JSON.stringify({ critical: { type: 'cosign container image signature', image: {} } }))],
    ['another type', payloadFor(DIGEST, 'atomic container signature')],
    ['a huge string digest', payloadFor('x'.repeat(100_000))],
  ])('refuses a payload that is %s without throwing', (_name, payload) => {
    const j = judgeSignatures(DIGEST, [signed(ours.privateKey, payload)], keysOf(ours.pem));
    expect(j.outcome).toBe('invalid');
  });

  it.each([
    ['empty', ''],
    ['not base64', '!!!!'],
    ['base64 of garbage DER', Buffer.from('garbage').toString('base64')],
    ['enormous', 'A'.repeat(100_000)],
  ])('refuses a signature annotation that is %s', (_name, signature) => {
    const j = judgeSignatures(DIGEST, [{ source: 'x', payload: payloadFor(DIGEST), signature }], keysOf(ours.pem));
    expect(j.outcome).toBe('invalid');
  });

  it('refuses a signature over different bytes that name the same digest (payload altered after signing)', () => {
    const c = signed(ours.privateKey, payloadFor(DIGEST));
    const altered = Buffer.from(Buffer.from(c.payload).toString('utf8').replace('"optional":null', '"optional":{"x":1}'));
    expect(judgeSignatures(DIGEST, [{ ...c, payload: altered }], keysOf(ours.pem)).outcome).toBe('invalid');
  });
});

describe('trusted keys (COSIGN_PUBLIC_KEY)', () => {
  it('reads several PEM blocks, also with literal \\n escapes as app settings carry them', () => {
    const a = keyPair('ec').pem;
    const b = keyPair('ed25519').pem;
    const parsed = parsePublicKeys(`${a}${b}`.replace(/\n/g, '\\n'));
    expect(parsed.ok && parsed.value.map((k) => k.type)).toEqual(['ec', 'ed25519']);
  });

  it.each([
    ['no PEM', 'cosign.pub'],
    ['a private key', generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()],
    ['a broken block', '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----'],
    [
      'a DSA key',
      generateKeyPairSync('dsa', { modulusLength: 2048, divisorLength: 256 }).publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    ],
  ])('refuses %s', (_name, text) => {
    expect(parsePublicKeys(text).ok).toBe(false);
  });
});
