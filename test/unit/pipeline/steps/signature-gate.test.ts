import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { afterScanPassed } from '../../../../src/services/pipeline/steps/signature-gate.js';
import { scanning } from '../../../../src/services/pipeline/steps/scanning.js';
import { queued } from '../../../../src/services/pipeline/steps/queued.js';
import type { SignatureSettings } from '../../../../src/services/pipeline/deps.js';
import type { SignatureCandidate, SignatureLookup } from '../../../../src/services/ports.js';
import type { Result } from '../../../../src/services/domain/result.js';
import { parsePublicKeys } from '../../../../src/services/signature/index.js';
import { aRelease, aScanRecord, at, CATALOG, ctx, digest, errR, fail, iso, okR, world, type World } from '../world.js';

const ID = 'r-test-000001';
const head = { app: 'tailspin-server', environment: 'dev', quarantined: [] };
const pending = { 'tailspin-server/dev': { pending: { releaseId: ID, target: digest(1) } } };

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
const lookup = (candidates: SignatureCandidate[], notes: string[] = []): SignatureLookup => ({ candidates, looked: ['tag x.sig'], notes });

function gated(
  policy: SignatureSettings['policy'],
  found: () => Promise<Result<SignatureLookup>>,
  more: Partial<SignatureSettings> = {},
): World {
  const w = world({ heads: pending, settings: { signature: { policy, keys, deadlineSeconds: 300, pollSeconds: 10, ...more } } });
  w.d.signatures = { find: (t) => (w.calls.push({ port: 'signatures', method: 'find', args: [t] }), found()) };
  return w;
}
const scan = aScanRecord();
const passed = { outcome: { scan } };

describe('signature gate (after the scan gate passed)', () => {
  it('is not asked when the policy is off', async () => {
    const w = gated('off', () => okR(lookup([])));
    expect(await afterScanPassed(ctx(aRelease(), w), 'scan gate: passed', passed)).toMatchObject({
      to: 'deploying',
      reason: 'scan gate: passed',
    });
    expect(w.callsTo('signatures')).toEqual([]);
  });

  it('enforce: a digest signed by the trusted key deploys, with the finding recorded', async () => {
    const w = gated('enforce', () => okR(lookup([signedFor(digest(1))])));
    expect(await afterScanPassed(ctx(aRelease(), w, at(5)), 'scan gate: passed', passed)).toMatchObject({
      kind: 'advance',
      to: 'deploying',
      reason: `scan gate: passed; signature gate: signed for ${digest(1)} by key ${keys[0]!.id} (tag x.sig)`,
      head: { ...head, active: { releaseId: ID, target: digest(1) } },
      outcome: { scan, signature: { policy: 'enforce', outcome: 'verified', keyId: keys[0]!.id, at: iso(5), looked: ['tag x.sig'] } },
    });
  });

  it('enforce: an unsigned digest is blocked, and what the registry held unread is in the record', async () => {
    const w = gated('enforce', () => okR(lookup([], ['tag x.sig: manifest larger than 262144 bytes refused unread'])));
    expect(await afterScanPassed(ctx(aRelease(), w), 'scan gate: passed', passed)).toMatchObject({
      to: 'blocked',
      reason: `signature gate: no cosign signature found for ${digest(1)} (looked in: tag x.sig)`,
      head: { ...head, lastBlocked: { releaseId: ID, target: digest(1) } },
      outcome: {
        scan,
        signature: { outcome: 'unsigned', refused: [{ source: 'registry', why: expect.stringContaining('refused unread') }] },
      },
    });
  });

  it('enforce: a signature for another digest is blocked', async () => {
    const w = gated('enforce', () => okR(lookup([signedFor(digest(2))])));
    expect(await afterScanPassed(ctx(aRelease(), w), 'scan gate: passed', passed)).toMatchObject({
      to: 'blocked',
      reason: expect.stringContaining('none valid: signed for another digest'),
    });
  });

  it('warn: an unsigned digest deploys, and says the gate did not enforce', async () => {
    const w = gated('warn', () => okR(lookup([])));
    expect(await afterScanPassed(ctx(aRelease(), w), 'scan gate: passed', passed)).toMatchObject({
      to: 'deploying',
      reason: expect.stringContaining('signature gate (warn, not enforced): no cosign signature found'),
      outcome: { signature: { policy: 'warn', outcome: 'unsigned' } },
    });
  });

  it('a registry that cannot be read is waited for, keeping the scan verdict; never a pass under enforce', async () => {
    const w = gated('enforce', () => errR(fail('rate-limited', 'registry: HTTP 429', { retryAfterMs: 20_000 })));
    expect(await afterScanPassed(ctx(aRelease(), w, at(5)), 'scan gate: passed', passed)).toEqual({
      kind: 'wait',
      on: 'registry',
      for: `registry: signatures of ${digest(1)}`,
      deadline: at(305),
      afterSeconds: 20,
      outcome: { scan },
    });
    const waiting = aRelease({ wait: { on: 'registry', for: 'x', since: iso(5), deadline: iso(305) } });
    expect(await afterScanPassed(ctx(waiting, w, at(305)), 'scan gate: passed', passed)).toMatchObject({
      to: 'blocked',
      reason: expect.stringMatching(
        /^signature gate: signatures of sha256:\S+ could not be read \(fail closed\): registry: HTTP 429 \(rate-limited: still failing after 300 s\)$/,
      ),
      outcome: { signature: { outcome: 'unreadable' } },
    });
  });

  it('warn: a registry still unreadable at the deadline lets the release go on, saying so', async () => {
    const w = gated('warn', () => errR(fail('auth', 'registry: HTTP 401')));
    expect(await afterScanPassed(ctx(aRelease(), w), 'scan gate: passed', passed)).toMatchObject({
      to: 'deploying',
      reason: expect.stringContaining('signature gate (warn, not enforced): signatures of'),
    });
  });

  it('enforce without a trusted key, or without a registry to ask, blocks', async () => {
    const noKey = gated('enforce', () => okR(lookup([])), { keys: [] });
    expect(await afterScanPassed(ctx(aRelease(), noKey), 'scan gate: passed', passed)).toMatchObject({
      to: 'blocked',
      reason: 'signature gate: no trusted key is configured (COSIGN_PUBLIC_KEY)',
    });
    const noSource = gated('enforce', () => okR(lookup([])));
    delete noSource.d.signatures;
    expect(await afterScanPassed(ctx(aRelease(), noSource), 'scan gate: passed', passed)).toMatchObject({ to: 'blocked' });
  });

  it("an app's signaturePolicy overrides SIGNATURE_POLICY", async () => {
    const w = gated('off', () => okR(lookup([])));
    const app = { ...CATALOG.apps[0]!, signaturePolicy: 'enforce' as const };
    expect(await afterScanPassed({ ...ctx(aRelease(), w), app }, 'scan gate: passed', passed)).toMatchObject({ to: 'blocked' });
  });

  it('scanning: while the signature gate waits on the registry, the finished scan is not read again', async () => {
    const w = gated('enforce', () => okR(lookup([signedFor(digest(1))])));
    const r = aRelease({
      phase: 'scanning',
      progress: { scanRunId: scan.runId, scanStartedAt: iso(0), scanAttempt: 1 },
      outcome: { scan: { ...scan, outcome: 'pass' } },
      wait: { on: 'registry', for: 'x', since: iso(5), deadline: iso(305) },
    });
    expect(await scanning(ctx(r, w, at(20)))).toMatchObject({
      to: 'deploying',
      reason: expect.stringContaining('signature gate: signed for'),
    });
    expect(w.callsTo('scanner')).toEqual([]);
  });

  it('queued: a cached pass goes through the signature gate too', async () => {
    const w = gated('enforce', () => okR(lookup([])));
    w.d.scanCache = {
      get: () => Promise.resolve({ outcome: 'pass', summary: 'passed', verdict: scan, scannedAt: iso(-60), expiresAt: iso(3600) }),
      put: () => Promise.resolve(),
    };
    expect(await queued(ctx(aRelease(), w))).toMatchObject({
      to: 'blocked',
      reason: expect.stringContaining('signature gate: no cosign signature'),
    });
  });
});
