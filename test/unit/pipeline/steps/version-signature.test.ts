/**
 * Version releases go through the signature gate like image releases (issue #15 review): a version tag
 * follows every gate, so under `enforce` an unsigned digest is never given vX.Y.Z.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { versionGate } from '../../../../src/services/pipeline/steps/version.js';
import type { SignatureSettings } from '../../../../src/services/pipeline/deps.js';
import type { CachedVerdict, SignatureCandidate, SignatureLookup } from '../../../../src/services/ports.js';
import type { Result } from '../../../../src/services/domain/result.js';
import { parsePublicKeys } from '../../../../src/services/signature/index.js';
import { aRelease, aScanRecord, at, COMMIT, ctx, digest, errR, fail, iso, okR, REGISTRY, world, type World } from '../world.js';

const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const parsed = parsePublicKeys(pair.publicKey.export({ type: 'spki', format: 'pem' }).toString());
if (!parsed.ok) throw new Error(parsed.error);
const keys = parsed.value;

const signedFor = (d: string): SignatureCandidate => {
  const payload = Buffer.from(
    JSON.stringify({ critical: { image: { 'docker-manifest-digest': d }, type: 'cosign container image signature' } }),
  );
  return { source: 'tag x.sig', payload, signature: sign('sha256', payload, pair.privateKey).toString('base64') };
};
const lookup = (candidates: SignatureCandidate[]): SignatureLookup => ({ candidates, looked: ['tag x.sig'], notes: [] });

const image = { registry: REGISTRY, repository: 'tailspin-server', digest: digest(1), tag: COMMIT };
const version = (over = {}) =>
  aRelease({
    kind: 'version',
    phase: 'scanning',
    version: 'v1.2.3',
    image,
    source: { door: 'github', eventId: 'd-1' },
    ...over,
  });
const passed: CachedVerdict = { outcome: 'pass', summary: 'passed', verdict: aScanRecord(), scannedAt: iso(-60), expiresAt: iso(3600) };

function gated(policy: SignatureSettings['policy'], found: () => Promise<Result<SignatureLookup>>) {
  const tagged: string[][] = [];
  const w: World = world({
    scanCache: { get: () => Promise.resolve(passed) },
    settings: { signature: { policy, keys, deadlineSeconds: 300, pollSeconds: 10 } },
  });
  w.d.signatures = { find: (t) => (w.calls.push({ port: 'signatures', method: 'find', args: [t] }), found()) };
  w.d.tags = { tag: (_repo, _d, tags) => (tagged.push(tags), okR(undefined)), revision: () => okR(undefined) };
  return { w, tagged };
}

describe('version releases: the signature gate', () => {
  it('enforce: an unsigned digest the scan gate passed is not given the version, with the reason', async () => {
    const { w, tagged } = gated('enforce', () => okR(lookup([])));
    const d = await versionGate(ctx(version(), w));
    expect(tagged).toEqual([]);
    expect(d).toMatchObject({
      kind: 'advance',
      to: 'blocked',
      reason: `signature gate: no cosign signature found for ${digest(1)} (looked in: tag x.sig); ${digest(1)} is not given v1.2.3`,
      outcome: {
        signature: { policy: 'enforce', outcome: 'unsigned' },
        tags: { added: [], withheld: [{ tag: 'v1.2.3', reason: 'the signature gate blocked this digest' }] },
      },
    });
    expect(d.kind === 'advance' && d.head).toBeUndefined();
  });

  it('enforce: a digest signed by the trusted key is given the version, and the finding is recorded', async () => {
    const { w, tagged } = gated('enforce', () => okR(lookup([signedFor(digest(1))])));
    const d = await versionGate(ctx(version(), w));
    expect(tagged).toEqual([['v1.2.3']]);
    expect(d).toMatchObject({
      to: 'succeeded',
      reason: expect.stringContaining(`signature gate: signed for ${digest(1)} by key ${keys[0]!.id}`),
      outcome: { signature: { outcome: 'verified' }, tags: { added: ['v1.2.3'] } },
    });
  });

  it('enforce: a signature for another digest is refused', async () => {
    const { w, tagged } = gated('enforce', () => okR(lookup([signedFor(digest(2))])));
    expect(await versionGate(ctx(version(), w))).toMatchObject({ to: 'blocked', reason: expect.stringContaining('another digest') });
    expect(tagged).toEqual([]);
  });

  it('warn: an unsigned digest is given the version, and the finding is recorded', async () => {
    const { w, tagged } = gated('warn', () => okR(lookup([])));
    expect(await versionGate(ctx(version(), w))).toMatchObject({
      to: 'succeeded',
      reason: expect.stringContaining('signature gate (warn, not enforced): no cosign signature found'),
      outcome: { signature: { policy: 'warn', outcome: 'unsigned' } },
    });
    expect(tagged).toEqual([['v1.2.3']]);
  });

  it('a registry that cannot be read is waited for with a deadline, then refuses under enforce: never a pass', async () => {
    const { w, tagged } = gated('enforce', () => errR(fail('transient', 'registry: HTTP 503')));
    const first = await versionGate(ctx(version(), w, at(5)));
    expect(first).toMatchObject({ kind: 'wait', on: 'registry', deadline: at(305), outcome: { scan: { outcome: 'pass' } } });
    // the next look does not read the scan verdict again: it asks the registry only
    const waiting = version({
      outcome: { scan: aScanRecord() },
      wait: { on: 'registry', for: 'x', since: iso(5), deadline: iso(305) },
    });
    const reads = w.callsTo('scanCache').length;
    expect(await versionGate(ctx(waiting, w, at(305)))).toMatchObject({
      to: 'blocked',
      reason: expect.stringMatching(/^signature gate: signatures of sha256:\S+ could not be read \(fail closed\)/),
      outcome: { signature: { outcome: 'unreadable' } },
    });
    expect(w.callsTo('scanCache').length).toBe(reads);
    expect(tagged).toEqual([]);
  });

  it('off: the registry is not asked', async () => {
    const { w, tagged } = gated('off', () => okR(lookup([])));
    expect(await versionGate(ctx(version(), w))).toMatchObject({ to: 'succeeded' });
    expect(w.callsTo('signatures')).toEqual([]);
    expect(tagged).toEqual([['v1.2.3']]);
  });
});
